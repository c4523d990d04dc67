// `npm run demo` on a fresh checkout: no config, no wallet, exits 0 and prints what it saw and decided.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

describe('demo', () => {
  it('runs the daemon against the simulator in dry-run and prints a summary', async () => {
    const r = await runCli(['demo', '--ticks', '4', '--speed', '6000']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tick {3}1\/4 .* feed \d+/);
    expect(r.stdout).toContain('── summary');
    expect(r.stdout).toMatch(/ticks: +4 completed, 0 failed/);
    expect(r.stdout).toMatch(/decisions: +\d+ would back .* \d+ skipped/);
    expect(r.stdout).toContain('Dry run: nothing was sent.');
  });
});

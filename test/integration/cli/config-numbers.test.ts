// Every numeric configuration error exits 78 naming the key (issue 12: risk.maxDailySol 1e300 exited 1 with
// "Cannot convert to a BigInt"; a bad metrics.bind exited 1 naming metrics.port).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

async function runWith(config: object) {
  const dir = mkdtempSync(join(tmpdir(), 'magma-cfg-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return runCli(['run', '--once', '--sim', '--dry-run', '--config', join(dir, 'config.json'), '--data-dir', dir]);
}

describe('numeric configuration errors', () => {
  it('risk.maxDailySol: 1e300 exits 78 naming the key', async () => {
    const r = await runWith({ risk: { maxDailySol: 1e300 } });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/"risk.maxDailySol" \(config file .*\): risk.maxDailySol above 9223372036 SOL/);
    expect(r.stderr).not.toContain('BigInt');
  });

  it('a metrics.bind that is not an address exits 78 naming metrics.bind', async () => {
    const r = await runWith({ metrics: { enabled: true, bind: '999.1.1.1', port: 0 } });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/"metrics.bind" .*must be an IP address of this machine/);
    expect(r.stderr).not.toMatch(/metrics\.port/);
  });
});

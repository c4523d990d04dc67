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

  it('the simulator\'s number flags go through the same schema: --fund 1e300 and --speed 1e300 exit 78 naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-cfg-'));
    const fund = await runCli(['sim', '--fund', '1e300', '--port', '0', '--data-dir', dir]);
    expect(fund.code).toBe(78);
    expect(fund.stderr).toMatch(/"sim.fundSol" \(set by a command-line flag\): sim.fundSol above 9223372036 SOL/);
    expect(fund.stderr).not.toContain('BigInt');
    const speed = await runCli(['sim', '--speed', '1e300', '--port', '0', '--data-dir', dir]);
    expect(speed.code).toBe(78);
    expect(speed.stderr).toMatch(/"sim.speed" \(set by a command-line flag\)/);
    const demo = await runCli(['demo', '--speed', '1e300']);
    expect(demo.code).toBe(78);
    expect(demo.stderr).toMatch(/"sim.speed" \(set by a command-line flag\)/);
  });

  it('a weight past 1,000,000 exits 78 naming the key (two such weights made every tick fail on a NaN forecast)', async () => {
    const r = await runWith({ strategies: [{ name: 'crowd', weight: 1e308 }, { name: 'price-threshold', weight: 1e308 }] });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/"strategies.0.weight" \(config file .*\): a strategy weight above 1000000 overflows the pooled forecast/);
  });

  it('backtest number flags past what it can act on are usage errors (exit 2), never a BigInt failure or a run without end', async () => {
    for (const [flag, value, max] of [['--bankroll', '1e300', '9223372036'], ['--progress-interval', '1e300', '2147483'], ['--workers', '1e300', '1024'], ['--walk-forward', '1e7', '100']] as const) {
      const r = await runCli(['backtest', '--recording', 'none.jsonl', '--sweep', 'risk.minEdge=0.01,0.02', flag, value]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toContain(`option '${flag}`);
      expect(r.stderr).toContain(`expected at most ${max}`);
    }
  });
});

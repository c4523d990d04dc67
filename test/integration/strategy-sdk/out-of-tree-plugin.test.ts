// The strategy SDK (`magma-agent/strategy`) as a plug-in author meets it: a plain .mjs plug-in in a folder of its own,
// with nothing installed beside it, imports the SDK's helpers and runs in its worker thread; a TypeScript plug-in
// type-checks against the declarations the build ships (package.json exports, types) and compiles to such a file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStrategies } from '../../../src/engine/load-strategies.js';
import { StrategyHost } from '../../../src/engine/strategy-host.js';
import { ROOT } from '../../helpers/cli.js';
import { narrative } from '../../helpers/narratives.js';
import { parsePriceThesis, probabilityClose } from 'magma-agent/strategy';

const NOW = Date.parse('2026-05-20T12:00:00Z');
const hosts: StrategyHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

const PLUGIN_MJS = `// @ts-check
import { defineStrategy, numberOption, parsePriceThesis, probabilityClose } from 'magma-agent/strategy';

export default defineStrategy({
  name: 'out-of-tree',
  interfaceVersion: 1,
  async evaluate(narrative, ctx) {
    const thesis = parsePriceThesis(narrative.thesis, ctx.clock.now());
    if (!thesis || !ctx.sources.prices) return null;
    const spot = await ctx.sources.prices.price(thesis.asset, ctx.signal);
    if (spot === null) return null;
    const p = probabilityClose(spot, thesis.level, thesis.direction ?? 'above', numberOption(ctx.options.sigma, 0.6), thesis.deadlineMs - ctx.clock.now());
    return { pTrue: p, confidence: 0.5, rationale: thesis.asset + ' at ' + spot };
  },
});
`;

async function evaluateWith(path: string, dir: string) {
  const loaded = await loadStrategies([{ path, weight: 1, timeoutMs: 5_000, options: { sigma: 0.6 } }], dir);
  const host = new StrategyHost(loaded);
  hosts.push(host);
  const asked: string[] = [];
  const prices = { price: async (asset: string) => { asked.push(asset); return 240; }, history: async () => [] };
  const e = await host.evaluate(narrative({ id: 'p1', thesis: 'Will SOL close above $250 on 2026-05-22?' }), { history: [], clock: { now: () => NOW }, sources: { prices } });
  return { record: e.records.find((r) => r.strategy === 'out-of-tree'), asked };
}

describe('a plug-in written against magma-agent/strategy', () => {
  it('loads from a folder outside the agent with nothing installed there, and its SDK helpers run in its thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-plugin-'));
    writeFileSync(join(dir, 'plugin.mjs'), PLUGIN_MJS);
    const { record, asked } = await evaluateWith('plugin.mjs', dir);
    expect(record?.error).toBeUndefined();
    expect(asked).toEqual(['SOL']); // the price call crossed from its thread to the agent's source
    const thesis = parsePriceThesis('Will SOL close above $250 on 2026-05-22?', NOW)!;
    expect(record!.pTrue).toBe(probabilityClose(240, 250, 'above', 0.6, thesis.deadlineMs - NOW));
    expect(record!.rationale).toBe('SOL at 240');
  });

  it('type-checks in TypeScript against the shipped declarations and compiles to a plug-in that loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-plugin-ts-'));
    // as `npm install magma-agent` would leave it: the package, resolved through its exports
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'magma-agent'), 'dir');
    writeFileSync(join(dir, 'plugin.ts'), [
      "import { numberOption, parsePriceThesis, probabilityClose, type Strategy } from 'magma-agent/strategy';",
      'const strategy: Strategy = {',
      "  name: 'out-of-tree',",
      '  async evaluate(narrative, ctx) {',
      '    const thesis = parsePriceThesis(narrative.thesis, ctx.clock.now());',
      '    if (!thesis || !ctx.sources.prices) return null;',
      '    const spot = await ctx.sources.prices.price(thesis.asset, ctx.signal);',
      '    if (spot === null) return null;',
      "    const p = probabilityClose(spot, thesis.level, thesis.direction ?? 'above', numberOption(ctx.options.sigma, 0.6), thesis.deadlineMs - ctx.clock.now());",
      "    return { pTrue: p, confidence: 0.5, rationale: `${thesis.asset} at ${spot}` };",
      '  },',
      '};',
      'export default strategy;',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'bad.ts'), "import type { Strategy } from 'magma-agent/strategy';\nexport default { name: 'bad', evaluate: () => ({ pTrue: 'high' }) } satisfies Strategy;\n");
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const tsc = (file: string) => spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'), '--outDir', dir, file], { cwd: dir, encoding: 'utf8' });
    const good = tsc('plugin.ts');
    expect(good.status, good.stdout + good.stderr).toBe(0);
    const bad = tsc('bad.ts');
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/bad\.ts.*Type 'string' is not assignable to type 'number'/); // the contract's types reach the author
    writeFileSync(join(dir, 'plugin.mjs'), readFileSync(join(dir, 'plugin.js')));
    const { record } = await evaluateWith('plugin.mjs', dir);
    expect(record?.error).toBeUndefined();
    expect(record!.rationale).toBe('SOL at 240');
  }, 120_000);
});

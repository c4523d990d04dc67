// What isolating a plug-in in a worker thread costs per tick: one trivial strategy over 50 narratives, in this
// thread vs in its worker (one message per tick), and one call per narrative for comparison. Needs a build (dist/).
// Usage: node scripts/bench-plugin-isolation.mjs
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
import { loadStrategies } from '../dist/src/engine/load-strategies.js';
import { StrategyHost } from '../dist/src/engine/strategy-host.js';
const good = (await import('../test/fixtures/strategies/good.mjs')).default;
const [plugin] = await loadStrategies([{ path: 'test/fixtures/strategies/good.mjs', weight: 1, timeoutMs: 5000, options: {} }], root);
const inproc = new StrategyHost([{ strategy: good, weight: 1, timeoutMs: 5000, options: {} }]);
const worker = new StrategyHost([plugin]);
const hist = Array.from({ length: 10 }, (_, i) => ({ observedAt: new Date(i * 1000).toISOString(), oracleStatus: 'open', totalBackedLamports: 1000n * BigInt(i), backerCount: i, challengeCount: 0 }));
const items = Array.from({ length: 50 }, (_, i) => ({ narrative: Object.freeze({ id: 'n' + i, title: 'Title ' + i, thesis: 'x'.repeat(200), category: 'crypto', oracleStatus: 'open', totalBackedLamports: 123456789n, backerCount: 5, challengeCount: 1, createdAt: '2026-01-01T00:00:00Z' }), history: hist }));
const ctx = { nowMs: Date.now(), sources: {} };
async function time(h, label, reps = 200) {
  for (let i = 0; i < 20; i++) await h.evaluateAll(items, ctx);
  const t = performance.now();
  for (let i = 0; i < reps; i++) await h.evaluateAll(items, ctx);
  const per = (performance.now() - t) / reps;
  console.log(label, per.toFixed(3), 'ms per tick of 50');
  return per;
}
async function timeEach(h, label, reps = 20) {
  const t = performance.now();
  for (let r = 0; r < reps; r++) for (const it of items) await h.evaluateAll([it], ctx);
  const per = (performance.now() - t) / reps;
  console.log(label, per.toFixed(3), 'ms per tick of 50 (one call per narrative)');
}
const a = await time(inproc, 'in-process');
const b = await time(worker, 'worker    ');
console.log('isolation cost', (b - a).toFixed(3), 'ms per tick');
await timeEach(inproc, 'in-process');
await timeEach(worker, 'worker    ');
const t0 = performance.now(); const [p2] = await loadStrategies([{ path: 'test/fixtures/strategies/good.mjs', weight: 1, timeoutMs: 5000, options: {} }], root); const h2 = new StrategyHost([p2]); await h2.evaluateAll(items.slice(0,1), ctx); console.log('probe + first start', (performance.now()-t0).toFixed(1), 'ms');
await worker.close(); await h2.close();

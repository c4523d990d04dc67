// Resolves config entries to strategies: a built-in by name, or a .js/.mjs module by path whose default export
// follows the contract. Problems here stop start-up with exit 78 and say which entry is wrong. A module given by path
// is never imported in this thread: a probe worker (src/engine/worker-runner.ts) imports it and reports what it
// exports, so that a module that exits, loops or changes Object.prototype while loading cannot touch the agent.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StrategyEntry } from '../config/schema.js';
import { MagmaError } from '../core/errors.js';
import { ALWAYS_HALF, CROWD_SHARE, STRATEGY_INTERFACE_VERSION, type Strategy } from '../core/strategy.js';
import { BUILTIN_STRATEGIES } from './builtin-strategies.js';
import { WorkerRunner } from './worker-runner.js';

/** The longest strategy name accepted (it is stored with every opinion). */
export const MAX_STRATEGY_NAME = 64;

/** Names the records give the pooled forecast and the backtest's baselines: a strategy under one would be mixed up with them. */
const RESERVED_NAMES: readonly string[] = ['ensemble', CROWD_SHARE, ALWAYS_HALF];

/** A plug-in's heap limit when its entry gives no memoryMb. */
export const DEFAULT_PLUGIN_MEMORY_MB = 128;

export interface LoadedStrategy {
  strategy: Strategy;
  weight: number;
  timeoutMs: number;
  options: Readonly<Record<string, unknown>>;
  /** Set for a module loaded by path: it runs in a worker thread (its `strategy` is then a stand-in that never runs). */
  plugin?: { path: string; memoryMb: number };
}

/** What runs in this thread in place of a plug-in: its name, for lists and reports. */
function standIn(name: string, interfaceVersion: number | undefined): Strategy {
  return {
    name,
    ...(interfaceVersion !== undefined ? { interfaceVersion } : {}),
    evaluate() {
      throw new Error(`${name} runs in its worker thread (see runnerFor), never in the agent's thread`);
    },
  };
}

function checkContract(value: unknown, where: string): Strategy {
  const s = value as Partial<Strategy> | null;
  if (!s || typeof s !== 'object' || typeof s.name !== 'string' || !s.name || typeof s.evaluate !== 'function') {
    throw new MagmaError('STRATEGY_LOAD_FAILED', `${where} does not export a strategy.`, {
      hint: 'Its default export must be { name: string, evaluate(narrative, ctx) }: see strategies/examples/ and INTERFACE.md.',
    });
  }
  // The name is stored beside every opinion and shown in logs and reports: a short line of text.
  if (s.name.length > MAX_STRATEGY_NAME || /[\u0000-\u001f\u007f]/.test(s.name)) {
    throw new MagmaError('STRATEGY_LOAD_FAILED', `${where} names itself with ${s.name.length > MAX_STRATEGY_NAME ? `${s.name.length} characters` : 'control characters'}: a strategy's name is at most ${MAX_STRATEGY_NAME} printable characters.`, {
      hint: 'Give the strategy a short name (its default export\'s "name"), e.g. "my-momentum".',
    });
  }
  if (RESERVED_NAMES.includes(s.name)) {
    throw new MagmaError('STRATEGY_LOAD_FAILED', `${where} names itself "${s.name}", which the agent's records use for its own figures.`, {
      hint: `Rename the strategy (its default export's "name"); ${RESERVED_NAMES.map((n) => `"${n}"`).join(', ')} are taken.`,
    });
  }
  const version = s.interfaceVersion ?? 1;
  if (version !== STRATEGY_INTERFACE_VERSION) {
    throw new MagmaError('STRATEGY_LOAD_FAILED', `${where} speaks strategy interface version ${version}; this build speaks ${STRATEGY_INTERFACE_VERSION}.`, {
      hint: 'Update the strategy to the current contract (INTERFACE.md "Strategies"), or use a matching magma-agent version.',
    });
  }
  return s as Strategy;
}

/** `loadTimeoutMs`: how long a plug-in may take to import (the runner's LOAD_TIMEOUT_MS unless given; tests shorten it). */
export async function loadStrategies(entries: readonly StrategyEntry[], baseDir = process.cwd(), o: { loadTimeoutMs?: number } = {}): Promise<LoadedStrategy[]> {
  const loaded: LoadedStrategy[] = [];
  for (const [i, entry] of entries.entries()) {
    const key = `strategies[${i}]`;
    let strategy: Strategy;
    let plugin: LoadedStrategy['plugin'];
    if (entry.name !== undefined) {
      const builtin = BUILTIN_STRATEGIES[entry.name];
      if (!builtin) {
        throw new MagmaError('STRATEGY_LOAD_FAILED', `${key}: no built-in strategy named "${entry.name}".`, {
          hint: `Use one of: ${Object.keys(BUILTIN_STRATEGIES).join(', ')}; or give "path" to a .js/.mjs file.`,
        });
      }
      strategy = builtin;
    } else {
      const path = resolve(baseDir, entry.path!);
      if (!/\.(m?js)$/.test(path) || !existsSync(path)) {
        throw new MagmaError('STRATEGY_LOAD_FAILED', `${key}: ${path} is not an existing .js or .mjs file.`, { hint: 'Fix the "path" of this strategy entry.' });
      }
      const memoryMb = entry.memoryMb ?? DEFAULT_PLUGIN_MEMORY_MB;
      const probe = new WorkerRunner({ name: key, path, weight: entry.weight, timeoutMs: entry.timeoutMs, memoryMb, options: {}, ...(o.loadTimeoutMs ? { loadTimeoutMs: o.loadTimeoutMs } : {}) });
      let info;
      try {
        info = await probe.load();
      } catch (cause) {
        throw new MagmaError('STRATEGY_LOAD_FAILED', `${key}: loading ${path} failed: ${(cause as Error).message}.`, { cause, hint: 'Fix the module so that it imports without errors.' });
      } finally {
        await probe.close();
      }
      const described = info.name !== null && info.hasEvaluate
        ? standIn(info.name, info.interfaceVersion ?? undefined)
        : { name: info.name ?? undefined, interfaceVersion: info.interfaceVersion ?? undefined, evaluate: info.hasEvaluate ? () => null : undefined };
      strategy = checkContract(described, `${key} (${path})`);
      plugin = { path, memoryMb };
    }
    if (loaded.some((l) => l.strategy.name === strategy.name)) {
      throw new MagmaError('STRATEGY_LOAD_FAILED', `${key}: a strategy named "${strategy.name}" is configured twice.`, { hint: 'Remove one entry; names must be unique.' });
    }
    loaded.push({ strategy: checkContract(strategy, key), weight: entry.weight, timeoutMs: entry.timeoutMs, options: Object.freeze({ ...entry.options }), ...(plugin ? { plugin } : {}) });
  }
  return loaded;
}

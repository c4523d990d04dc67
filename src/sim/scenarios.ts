// Named starting conditions for the simulator (`sim --scenario NAME[,NAME…]`). Each only arms faults on a fresh
// state, through the same code as POST /__sim/faults, so anything a scenario does can also be done at run time.
import { applyFaults } from './routes/control.js';
import type { SimState } from './sim-state.js';

interface Scenario {
  description: string;
  faults: Record<string, unknown>;
}

const burst = (family: string, kind: string, count: number, status?: number) => ({ family, kind, count, ...(status ? { status } : {}) });

const DEFINITIONS: Record<string, Scenario> = {
  default: { description: 'a healthy protocol: nothing halted, terms accepted', faults: {} },
  'backing-halted': { description: 'the backing component is halted (reads work, backing must not)', faults: { halted: ['backing'] } },
  'oracle-halted': { description: 'the oracle component is halted (no resolutions)', faults: { halted: ['oracle'] } },
  'submissions-halted': { description: 'the submissions component is halted', faults: { halted: ['submissions'] } },
  'withdrawals-halted': { description: 'the withdrawals component is halted', faults: { halted: ['withdrawals'] } },
  'all-halted': { description: 'the whole protocol is halted', faults: { halted: ['all'] } },
  'terms-rejected': { description: 'no wallet has accepted the latest terms', faults: { termsRejected: ['*'] } },
  'wallet-flagged': { description: 'every wallet is flagged (a warning; writes still allowed)', faults: { flagged: ['*'] } },
  'wallet-blocked': { description: 'every wallet is blocked (no writes)', faults: { blocked: ['*'] } },
  'flaky-api': {
    description: 'bursts of 5xx: the next 3 feed, agent and public requests fail',
    faults: { burst: [burst('feed', 'error', 3, 503), burst('agent', 'error', 3, 500), burst('public', 'error', 3, 502)] },
  },
  'html-errors': { description: 'the next 3 feed and public requests answer an HTML error page', faults: { burst: [burst('feed', 'html', 3), burst('public', 'html', 3)] } },
  'hanging-feed': { description: 'the next 2 feed requests never answer', faults: { burst: [burst('feed', 'hang', 2)] } },
  'connection-resets': { description: 'the next 3 feed and RPC requests have their connection reset', faults: { burst: [burst('feed', 'reset', 3), burst('rpc', 'reset', 3)] } },
  'malformed-feed': { description: 'the next 10 feeds carry malformed items (unknown/missing fields, wrong types, duplicates, huge strings)', faults: { malformedFeed: 10 } },
  'rpc-outage': { description: 'the Solana RPC answers 503 until cleared (POST /__sim/faults {"clearBursts": true})', faults: { burst: [burst('rpc', 'error', -1, 503)] } },
  'stuck-transactions': { description: 'the next 3 transactions are answered but never land', faults: { dropTransactions: 3 } },
  'slow-confirmations': { description: 'transactions take 100 blocks (40 s) to confirm instead of 2', faults: { confirmBlocks: 100 } },
  'lagging-status-node': { description: 'a load-balanced RPC: signature statuses come from a node 80 blocks behind the one serving heights', faults: { statusLagBlocks: 80 } },
  'history-less-node': { description: 'an RPC without transaction history: statuses only for the last 300 slots', faults: { statusHistorySlots: 300 } },
  'outage-on-land': { description: 'the Solana RPC goes down (503) when the next backing lands, until cleared', faults: { rpcOutageOnLand: true } },
  'fork-drop': { description: 'the next backing that lands is seen at processed on a minority fork, then dropped (the same bytes can land again)', faults: { forkDrop: 1 } },
  'reports-at-finalized': { description: 'the backing report route verifies at finalized: a report before finalization is refused (400)', faults: { reportsAtFinalized: true } },
  'short-blockhash': { description: 'blockhashes expire after 10 blocks (4 s) instead of 150', faults: { blockhashTtl: 10 } },
  'rate-limit-storm': {
    description: 'the next 20 feed and public requests and 5 backing reports answer 429',
    faults: { burst: [burst('feed', 'rate-limit', 20), burst('public', 'rate-limit', 20), burst('backing', 'rate-limit', 5)] },
  },
};

export const SCENARIOS: Record<string, { description: string; apply(state: SimState): void }> = Object.fromEntries(
  Object.entries(DEFINITIONS).map(([name, s]) => [name, {
    description: s.description,
    apply(state: SimState) {
      // Scenarios add to each other (a list of names): merge sets and bursts rather than replace them.
      const current = state.faults;
      const merged: Record<string, unknown> = { ...s.faults };
      for (const [key, set] of [['halted', current.halted], ['termsRejected', current.termsRejected], ['flagged', current.flagged], ['blocked', current.blocked]] as const) {
        if (Array.isArray(merged[key])) merged[key] = [...set, ...(merged[key] as string[])];
      }
      const error = applyFaults(state, merged);
      if (error) throw new Error(`scenario ${name}: ${error}`);
    },
  }]),
);

/** Resolves `a,b,c` into scenarios, or names the unknown one. */
export function resolveScenarios(spec: string): { ok: true; names: string[]; apply(state: SimState): void; description: string } | { ok: false; unknown: string } {
  const names = spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!SCENARIOS[n]) return { ok: false, unknown: n };
  return {
    ok: true,
    names,
    description: names.map((n) => SCENARIOS[n]!.description).join('; '),
    apply: (state) => names.forEach((n) => SCENARIOS[n]!.apply(state)),
  };
}

// Named starting conditions for the simulator (`sim --scenario NAME`). Each only sets faults on a fresh state.
import type { SimState } from './sim-state.js';

export const SCENARIOS: Record<string, { description: string; apply(state: SimState): void }> = {
  default: { description: 'a healthy protocol: nothing halted, terms accepted', apply: () => {} },
  'backing-halted': { description: 'the backing component is halted (reads work, backing must not)', apply: (s) => s.faults.halted.add('backing') },
  'all-halted': { description: 'the whole protocol is halted', apply: (s) => s.faults.halted.add('all') },
  'terms-rejected': { description: 'no wallet has accepted the latest terms', apply: (s) => s.faults.termsRejected.add('*') },
};

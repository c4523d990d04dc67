// The write gates every MAGMA write route applies, in the order the real API answers them: a halted component
// (503), a blocked wallet or terms not accepted (403).
import { json, type SimResponse } from '../http/router.js';
import { walletMatches } from '../faults/sim-faults.js';
import type { SimState } from '../sim-state.js';

export function haltedGate(state: SimState, component: 'backing' | 'oracle' | 'submissions'): SimResponse | null {
  const halted = state.faults.halted.has('all') ? 'all' : state.faults.halted.has(component) ? component : null;
  if (!halted) return null;
  return json(503, { error: 'Service Unavailable', message: `The ${halted === 'all' ? 'protocol' : halted} component is halted; try again once /v1/system/status reports it operational` });
}

export function walletGate(state: SimState, wallet: string): SimResponse | null {
  if (walletMatches(state.faults.blocked, wallet)) {
    return json(403, { error: 'Forbidden', message: 'This wallet is blocked' });
  }
  if (walletMatches(state.faults.termsRejected, wallet)) {
    return json(403, { error: 'Forbidden', message: 'The latest terms of service have not been accepted for this wallet' });
  }
  return null;
}

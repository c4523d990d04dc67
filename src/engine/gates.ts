// The gates before any write (PROTOCOL.md section 1): system status, terms, and what could not be read.
// A gate that cannot be checked is closed: no write goes out on an unknown state.
import type { Gate } from '../core/decide.js';
import type { SystemStatus, TermsStatus } from '../ports/magma-api.js';

export interface GateInputs {
  status: SystemStatus | Error;
  terms: TermsStatus | Error;
}

export interface Gates {
  backing: Gate;
  resolution: Gate;
}

function check(inputs: GateInputs, component: 'backing' | 'oracle'): Gate {
  const { status, terms } = inputs;
  if (status instanceof Error) return { open: false, reason: `system status unknown (${status.message})` };
  const halted = status.halted.filter((c) => c === 'all' || c === component);
  if (halted.length) return { open: false, reason: `protocol halted: ${halted.join(', ')}` };
  if (terms instanceof Error) return { open: false, reason: `terms status unknown (${terms.message})` };
  if (!terms.accepted) return { open: false, reason: 'terms not accepted: accept the latest terms for this wallet in the MAGMA app' };
  return { open: true, reason: null };
}

export function evaluateGates(inputs: GateInputs): Gates {
  return { backing: check(inputs, 'backing'), resolution: check(inputs, 'oracle') };
}

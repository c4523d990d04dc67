// The gates before any write (PROTOCOL.md section 1): system status, terms, the wallet's flags. A gate that cannot be
// checked is closed: no write goes out on an unknown state. The one exception is a flag-check route the API does not
// serve (404: it comes from older docs), which cannot block forever.
import type { Gate } from '../core/decide.js';
import { isMagmaError } from '../core/errors.js';
import type { SystemStatus, TermsStatus, WalletFlag } from '../ports/magma-api.js';

export interface GateInputs {
  status: SystemStatus | Error;
  terms: TermsStatus | Error;
  flags: WalletFlag | Error;
  /** The operator's pause (`magma-agent pause`): closes both gates with this reason; in-flight work goes on. */
  paused?: string | null;
}

export interface Gates {
  backing: Gate;
  resolution: Gate;
}

function check(inputs: GateInputs, component: 'backing' | 'oracle'): Gate {
  const { status, terms, flags } = inputs;
  if (inputs.paused) return { open: false, reason: inputs.paused };
  if (status instanceof Error) return { open: false, reason: `system status unknown (${status.message})` };
  const halted = status.halted.filter((c) => c === 'all' || c === component);
  if (halted.length) return { open: false, reason: `protocol halted: ${halted.join(', ')}` };
  if (terms instanceof Error) return { open: false, reason: `terms status unknown (${terms.message})` };
  if (!terms.accepted) return { open: false, reason: 'terms not accepted: accept the latest terms for this wallet in the MAGMA app' };
  if (flags instanceof Error) {
    if (!isMagmaError(flags, 'API_NOT_FOUND')) return { open: false, reason: `wallet flags unknown (${flags.message})` };
  } else if (flags.blocked || flags.flagged) {
    const why = [flags.flagType, flags.reason].filter(Boolean).join(': ');
    return { open: false, reason: `wallet ${flags.blocked ? 'blocked' : 'flagged'}${why ? ` (${why})` : ''}: resolve it with MAGMA support before writing` };
  }
  return { open: true, reason: null };
}

export function evaluateGates(inputs: GateInputs): Gates {
  return { backing: check(inputs, 'backing'), resolution: check(inputs, 'oracle') };
}

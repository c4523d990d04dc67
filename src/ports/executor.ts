// The executor port: acts on a decision to back. Live signs and sends the backing transaction (executor issue);
// dry-run and backtest record the same journal rows without touching the chain.
import type { Decision } from '../core/decide.js';
import type { ResolutionDecision } from '../core/decide-resolution.js';
import type { Narrative } from '../core/narrative.js';

export interface ExecutionRequest {
  decision: Decision;
  decisionId: number;
  narrative: Narrative;
}

export interface ExecutionResult {
  backingId: number;
  /** The journal state the backing reached: reported (or simulated) when done, cancelled when refused. */
  state: string;
}

export interface ResolutionRequest {
  decision: ResolutionDecision;
  decisionId: number;
  narrative: Narrative;
}

export interface ResolutionResult {
  resolutionId: number;
  state: string;
}

export interface Executor {
  execute(req: ExecutionRequest, signal?: AbortSignal): Promise<ExecutionResult>;
  /** Submits (or, dry, records) an oracle verdict the engine decided on; idempotent per narrative. */
  submitResolution(req: ResolutionRequest, signal?: AbortSignal): Promise<ResolutionResult>;
  /**
   * Drives every journal row not in a final state on from the chain's and the API's view (start-up reconciliation
   * and the start of every tick share this one path). Executors with nothing in flight leave it out.
   */
  resumePending?(signal?: AbortSignal): Promise<void>;
  /** Executors that move money beside the tick: wait (at most maxMs) until nothing is in flight. */
  settle?(maxMs: number, signal?: AbortSignal): Promise<void>;
  /** Stops whatever runs beside the tick and waits for its step in progress; the journal says where it stopped. */
  stop?(): Promise<void>;
}

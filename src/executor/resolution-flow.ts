// Oracle verdicts (POST /v1/agent/resolve), journaled and idempotent per narrative: intent → submitted → accepted |
// rejected. The executor re-checks what the engine decided (the 0.7 floor and resolution.minConfidence, evidence cut
// to 1,000 characters, the oracle gate, no verdict on a narrative the wallet holds unless allowed); 400 and 404 are
// final answers, anything else leaves the row submitted and it is sent again later. Without a way to send (dry-run,
// backtest) it records the same row and moves it to simulated.
import { PROTOCOL_MIN_RESOLUTION_CONFIDENCE, truncateEvidence, type ResolutionPolicy } from '../core/decide-resolution.js';
import { errorMessage, isMagmaError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { isoNow, type Clock } from '../ports/clock.js';
import type { ResolutionRequest, ResolutionResult } from '../ports/executor.js';
import { FINAL_RESOLUTION_STATES, type Journal, type ResolutionRow } from '../ports/journal.js';
import type { MagmaApi } from '../ports/magma-api.js';
import { crashPoint } from '../testing/crash-point.js';
import type { WriteGates } from './write-gates.js';

const NOT_SENT = 'not sent: ';
/** How a heldElsewhere answer that MAGMA lists a position begins (final, unlike a portfolio that could not be read). */
export const HELD_BY_MAGMA = 'MAGMA\'s portfolio lists a position';
/** How old a verdict left unfinished may be and still be sent (issue 11). */
const STALE_VERDICT_MS = 60 * 60_000;

export interface ResolutionFlowOptions {
  journal: Journal;
  clock: Clock;
  logger: Logger;
  policy: ResolutionPolicy;
  /** Where verdicts go: MAGMA through the write gates, or nowhere (null: the verdict is journaled as simulated). */
  sending: { api: MagmaApi; gates: WriteGates } | null;
  /** Whether the wallet holds a position in the narrative (from the journal). */
  holds?: (narrativeId: string) => boolean;
  /**
   * Live: why MAGMA's own view bars a verdict on this narrative now (its portfolio lists a position, or that could
   * not be known), or null. Asked before a verdict is journaled and before a resumed one is sent again.
   */
  heldElsewhere?: (narrativeId: string, signal?: AbortSignal) => Promise<string | null>;
}

export class ResolutionFlow {
  constructor(private readonly o: ResolutionFlowOptions) {}

  /** Why the verdict must not be sent, or null. */
  private refusal(req: ResolutionRequest): string | null {
    const d = req.decision;
    const threshold = Math.max(PROTOCOL_MIN_RESOLUTION_CONFIDENCE, this.o.policy.minConfidence);
    if (!this.o.policy.enabled) return 'resolution.enabled is off';
    if (d.action !== 'resolve' || d.resolution === null || d.confidence === null) return 'the decision is not to resolve';
    if (!(d.confidence >= threshold && d.confidence <= 1)) return `confidence ${d.confidence} is below the threshold ${threshold}`;
    if (!this.o.policy.allowOwnPositions && this.o.holds?.(req.narrative.id)) return 'the wallet holds a position in it (resolution.allowOwnPositions is off)';
    return null;
  }

  async submit(req: ResolutionRequest, signal?: AbortSignal): Promise<ResolutionResult> {
    const { journal, clock, logger } = this.o;
    const why = this.refusal(req) ?? (this.o.policy.allowOwnPositions ? null : await this.o.heldElsewhere?.(req.narrative.id, signal)) ?? null;
    if (why) {
      logger.warn('resolution.refused', { narrative_id: req.narrative.id, msg: `verdict not sent: ${why}` });
      return { resolutionId: 0, state: 'refused' };
    }
    const d = req.decision;
    const { row, created } = journal.openResolution(
      { narrativeId: req.narrative.id, resolution: d.resolution!, confidence: d.confidence!, evidence: truncateEvidence(d.evidence) },
      isoNow(clock),
    );
    if (!created && FINAL_RESOLUTION_STATES.has(row.state)) return { resolutionId: row.id, state: 'already-journaled' };
    if (created) crashPoint('resolution:intent');
    if (!this.o.sending) {
      const done = journal.transitionResolution(row, 'simulated', isoNow(clock));
      return { resolutionId: done.id, state: done.state };
    }
    const done = await this.drive(row, this.o.sending, signal);
    return { resolutionId: done.id, state: done.state };
  }

  async resumePending(signal?: AbortSignal): Promise<void> {
    const sending = this.o.sending;
    if (!sending) return; // a journaled verdict is final at once: nothing is ever left to send
    for (const row of this.o.journal.unfinishedResolutions()) {
      // Issue 11: a resumed verdict is checked again (a position may have opened since; it may be stale).
      const why = this.resumeRefusal(row);
      if (why) {
        this.withdraw(row, why);
        continue;
      }
      const elsewhere = this.o.policy.allowOwnPositions ? null : await this.o.heldElsewhere?.(row.narrativeId, signal);
      if (elsewhere) {
        // MAGMA lists a position: a conflict of interest, final. Not known: not sent now, asked again on a later pass.
        if (elsewhere.startsWith(HELD_BY_MAGMA)) this.withdraw(row, elsewhere);
        else this.o.logger.warn('resolution.waiting', { narrative_id: row.narrativeId, msg: `the verdict waits: ${elsewhere}` });
        continue;
      }
      await this.drive(row, sending, signal);
    }
  }

  private withdraw(row: ResolutionRow, why: string): void {
    this.o.journal.transitionResolution(row, 'rejected', isoNow(this.o.clock), { error: `withdrawn, not sent again: ${why}` });
    this.o.logger.warn('resolution.withdrawn', { narrative_id: row.narrativeId, msg: `the verdict is not sent again: ${why}` });
  }

  /** Why a verdict left unfinished must not be sent again, or null (issue 11). */
  private resumeRefusal(row: ResolutionRow): string | null {
    if (!this.o.policy.allowOwnPositions && this.o.holds?.(row.narrativeId)) return 'the wallet holds, is backing or has an attempt in flight in it (a conflict of interest)';
    const ageMs = this.o.clock.now() - Date.parse(row.createdAt);
    if (ageMs > STALE_VERDICT_MS) return `the verdict is ${Math.round(ageMs / 60_000)} min old; the strategies decide afresh`;
    return null;
  }

  /** Said of a final refusal when an earlier attempt went out and got no answer (`sent`: attempts made besides it). */
  private lostAnswer(row: ResolutionRow, sent = 0): string {
    return row.attempts > sent && !row.error?.startsWith(NOT_SENT) ? ' (an earlier attempt got no answer: it may have been accepted then)' : '';
  }

  private async drive(start: ResolutionRow, { api, gates }: { api: MagmaApi; gates: WriteGates }, signal?: AbortSignal): Promise<ResolutionRow> {
    const { journal, clock, logger } = this.o;
    let row = start;
    const log = logger.child({ narrative_id: row.narrativeId });
    try {
      const gate = await gates.resolution(signal);
      // Then MAGMA's liveness (only after a failed call) and its read of the narrative: never a verdict on one under
      // review or being scored (it waits), nor on one already resolved, inside its challenge window or not (final).
      const waitFor = gate.open ? await gates.down(signal) : gate.reason;
      const refusal = waitFor ? { why: waitFor, final: false } : await gates.verdictRefusal(row.narrativeId, signal);
      if (refusal?.final) {
        const message = `${refusal.why}${this.lostAnswer(row)}`.slice(0, 500);
        row = journal.transitionResolution(row, 'rejected', isoNow(clock), { error: message });
        log.warn('resolution.rejected', { msg: `not sent, a final answer: ${message}` });
        return row;
      }
      if (refusal) {
        log.warn('resolution.waiting', { msg: `the verdict waits: ${refusal.why}` });
        return row;
      }
      row = journal.transitionResolution(row, 'submitted', isoNow(clock), { attempt: true });
      crashPoint('resolution:submitted');
      const res = await api.resolve({ narrativeId: row.narrativeId, resolution: row.resolution, evidence: row.evidence, confidence: row.confidence }, signal);
      crashPoint('resolution:answered');
      row = journal.transitionResolution(row, 'accepted', isoNow(clock), { responseJson: JSON.stringify(res) });
      log.info('resolution.accepted', { resolution: res.resolution, msg: `MAGMA accepted the verdict (${res.resolution})` });
      return row;
    } catch (err) {
      if (isMagmaError(err, 'ABORTED') || signal?.aborted) throw err;
      if (isMagmaError(err, 'API_BAD_REQUEST') || isMagmaError(err, 'API_NOT_FOUND')) {
        const message = `${errorMessage(err)}${this.lostAnswer(row, 1)}`.slice(0, 500);
        row = journal.transitionResolution(row, 'rejected', isoNow(clock), { error: message });
        log.warn('resolution.rejected', { msg: `MAGMA refused the verdict, a final answer: ${message}` });
        return row;
      }
      if (isMagmaError(err) && err.consequence === 'stop') throw err;
      if (isMagmaError(err, 'PROTOCOL_HALTED')) gates.invalidate();
      // The client's own budget refuses before anything is sent; a server's answer (or none) means it may have arrived.
      const unsent = isMagmaError(err, 'API_RATE_LIMITED') && err.context.status === undefined;
      const error = `${unsent ? NOT_SENT : ''}${errorMessage(err)}`.slice(0, 500);
      if (row.state === 'submitted') row = journal.transitionResolution(row, 'submitted', isoNow(clock), { error });
      log.warn('resolution.retry_later', { msg: `the verdict was not acknowledged (${errorMessage(err)}); it is sent again on the next tick` });
      return row;
    }
  }
}

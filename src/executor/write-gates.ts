// The executor's own view of the write gates (system status, terms, wallet flags) and of a narrative's state, read
// from the API and kept for a few seconds of clock time: a re-sign, a resumed intent, a report or a verdict all
// re-check them, without spending the public read budget on every poll of a transaction in flight.
import { isOpenForBacking } from '../core/narrative.js';
import { errorMessage, isMagmaError } from '../core/errors.js';
import { outcomeOfStatus } from '../ports/outcome-source.js';
import type { MagmaLiveness } from './magma-liveness.js';
import type { Gate } from '../core/decide.js';
import { evaluateGates, type Gates } from '../engine/gates.js';
import type { Clock } from '../ports/clock.js';
import type { MagmaApi } from '../ports/magma-api.js';
import type { Narrative } from '../core/narrative.js';

const rethrowAbort = (err: unknown): Error => {
  if (isMagmaError(err, 'ABORTED')) throw err;
  return err instanceof Error ? err : new Error(String(err));
};

const CLOSED_TTL_MS = 5_000;

export class WriteGates {
  private gates: { at: number; value: Gates } | null = null;
  private feed: { at: number; value: Map<string, Narrative> } | null = null;

  constructor(
    private readonly api: MagmaApi, private readonly wallet: string, private readonly clock: Clock, private readonly ttlMs = 5_000,
    private readonly liveness?: MagmaLiveness,
  ) {}

  /**
   * Before a write: when the last call to MAGMA failed, whether GET /v1/health says it is up again. Why the write
   * must wait (the journal keeps it for a later pass), or null.
   */
  async down(signal?: AbortSignal): Promise<string | null> {
    if (!this.liveness?.lastCallFailed) return null;
    try {
      await this.api.health(signal);
      return null;
    } catch (err) {
      rethrowAbort(err);
      // No health route (404): MAGMA answered, so it is up; the write itself says the rest.
      if (isMagmaError(err, 'API_NOT_FOUND')) return null;
      return `MAGMA looks down (the last call failed, and GET /v1/health: ${errorMessage(err)}): not sent now, tried again on a later pass`;
    }
  }

  /**
   * Why a verdict on the narrative must not be sent, from MAGMA's own read of it (PROTOCOL.md section 9), or null when
   * it is still open to a verdict (or MAGMA does not know it: the resolve route answers that itself). Under review,
   * being scored, or unreadable: not now (`final` false). Already resolved: never (its challenge window, not a verdict,
   * decides it now; `final` true).
   */
  async verdictRefusal(narrativeId: string, signal?: AbortSignal): Promise<{ why: string; final: boolean } | null> {
    try {
      const n = await this.api.narrative(narrativeId, signal);
      if (n.status === 'under_review') return { why: `narrative ${narrativeId} is under review (a dispute of its resolution is open)`, final: false };
      if (n.status === 'running') return { why: `narrative ${narrativeId} is being scored by MAGMA's oracle (running)`, final: false };
      // A dispute by another name (`disputed`, `challenged`): not now either.
      if (/review|disput|challeng/i.test(n.status)) return { why: `narrative ${narrativeId} is ${n.status} (a dispute of its resolution is open)`, final: false };
      if (outcomeOfStatus(n.status) !== null || n.status === 'resolved' || n.resolvedAt !== null) {
        const closes = n.challengeWindowClosesAt ? Date.parse(n.challengeWindowClosesAt) : NaN;
        const window = n.isFinal !== true && Number.isFinite(closes) && closes > this.clock.now() ? `; its challenge window decides it until ${n.challengeWindowClosesAt}` : '';
        return { why: `narrative ${narrativeId} is already ${n.status}${window}`, final: true };
      }
      return null;
    } catch (err) {
      rethrowAbort(err);
      if (isMagmaError(err, 'API_NOT_FOUND')) return null;
      return { why: `narrative ${narrativeId} could not be read (${errorMessage(err)})`, final: false };
    }
  }

  /** Forget what was read (after a 503 says something was halted since). */
  invalidate(): void {
    this.gates = null;
  }

  async current(signal?: AbortSignal): Promise<Gates> {
    const now = this.clock.now();
    if (this.gates && now - this.gates.at < this.ttlOf(this.gates.value)) return this.gates.value;
    const [status, terms, flags] = await Promise.all([
      this.api.systemStatus(signal).catch(rethrowAbort),
      this.api.termsStatus(this.wallet, signal).catch(rethrowAbort),
      this.api.walletFlag(this.wallet, signal).catch(rethrowAbort),
    ]);
    const value = evaluateGates({ status, terms, flags });
    this.gates = { at: now, value };
    return value;
  }

  /**
   * Open gates are kept the whole ttl (a write to a halted component answers 503 and invalidates them); closed ones
   * at most 5 s, so a reopened gate is seen soon.
   */
  private ttlOf(g: Gates): number {
    return g.backing.open && g.resolution.open ? this.ttlMs : Math.min(this.ttlMs, CLOSED_TTL_MS);
  }

  async backing(signal?: AbortSignal): Promise<Gate> {
    return (await this.current(signal)).backing;
  }

  async resolution(signal?: AbortSignal): Promise<Gate> {
    return (await this.current(signal)).resolution;
  }

  /** Why the narrative can no longer be backed, or null while the feed shows it open. */
  async narrativeRefusal(narrativeId: string, signal?: AbortSignal): Promise<string | null> {
    const now = this.clock.now();
    if (!this.feed || now - this.feed.at >= this.ttlMs) {
      const feed = await this.api.feed(signal);
      this.feed = { at: now, value: new Map(feed.narratives.map((o) => [o.narrative.id, o.narrative])) };
    }
    const n = this.feed.value.get(narrativeId);
    if (!n) return `narrative ${narrativeId} is no longer in the feed (resolved, closed or withdrawn)`;
    if (!isOpenForBacking(n)) return `narrative ${narrativeId} is no longer open for backing (oracle_status ${n.oracleStatus})`;
    return null;
  }
}

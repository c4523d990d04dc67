// The executor's own view of the write gates (system status, terms, wallet flags) and of a narrative's state, read
// from the API and kept for a few seconds of clock time: a re-sign, a resumed intent, a report or a verdict all
// re-check them, without spending the public read budget on every poll of a transaction in flight.
import { isOpenForBacking } from '../core/narrative.js';
import { isMagmaError } from '../core/errors.js';
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

  constructor(private readonly api: MagmaApi, private readonly wallet: string, private readonly clock: Clock, private readonly ttlMs = 5_000) {}

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

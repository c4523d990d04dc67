// Outcomes through MAGMA's public per-narrative read (GET /v1/narratives/:id) and oracle result
// (GET /v1/oracle/:narrativeId), PROTOCOL.md section 9: every narrative the agent decided on, held or not, so a
// dry run scores and settles what it never backed. A narrative counts only once final: resolved with `is_final`
// (or, where the answer has no `is_final`, once its challenge window has closed), or refunded; `running` and
// `under_review` are never final. The oracle's confidence and sources go with the outcome.
//
// Cheap by construction, in the public-read family (~60/min per IP, shared with the write gates): a backlog is
// matched against one page of the most recently resolved narratives (GET /v1/narratives?status=resolved&limit=100),
// then a few narratives are read one by one per ask, never while the family's budget is low; what each read says
// about when the narrative can change next (its deadline and resolution date, its challenge window) is kept and given
// to the engine, which does not ask before then; once final, a narrative is never asked about again (the store no
// longer awaits it).
import { isMagmaError } from '../core/errors.js';
import type { Clock } from '../ports/clock.js';
import type { MagmaApi, NarrativeDetail } from '../ports/magma-api.js';
import { outcomeOfStatus, type OutcomeSource, type ResolvedOutcome } from '../ports/outcome-source.js';

export interface NarrativeOutcomeSourceOptions {
  api: Pick<MagmaApi, 'narrative' | 'oracleResult'> & Partial<Pick<MagmaApi, 'narratives'>>;
  clock: Clock;
  /** Calls left in the public-read budget right now (null: no budget kept). */
  budgetLeft?: () => number | null;
  /** Narratives read one by one per ask (default 8); a backlog is first matched against one page of the list. */
  readsPerAsk?: number;
  /** Public calls always left in the budget (default 1): the gates' reads of this tick came first, the next tick's refill. */
  reserve?: number;
}

/** Narratives asked about per ask: those due now, matched against one page of the recently resolved. */
const MAX_PER_ASK = 100;
/** From this many due narratives on, one page of the recently resolved (GET /v1/narratives?status=resolved) is read first. */
const PAGE_FROM = 4;
/** A narrative MAGMA does not know (404) is asked again only after this long. */
const UNKNOWN_RETRY_MS = 6 * 3_600_000;
const MAX_HINTS = 50_000;

const ms = (iso: string | null): number | null => {
  const t = iso === null ? NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : null;
};

export class NarrativeOutcomeSource implements OutcomeSource {
  readonly name = 'oracle';
  readonly scope = 'decided' as const;
  readonly maxPerAsk = MAX_PER_ASK;
  readonly heldFirst = true;
  private readonly readsPerAsk: number;
  /** What the last ask learnt of each narrative still open: when to ask again, or that it was not asked. */
  private readonly hints = new Map<string, number | 'not-asked' | null>();

  constructor(private readonly o: NarrativeOutcomeSourceOptions) {
    this.readsPerAsk = o.readsPerAsk ?? 8;
  }

  retryAt(narrativeId: string): number | 'not-asked' | null {
    return this.hints.get(narrativeId) ?? null;
  }

  async outcomes(narrativeIds: readonly string[], signal?: AbortSignal): Promise<ResolvedOutcome[]> {
    const out: ResolvedOutcome[] = [];
    const rest = await this.fromPage(narrativeIds, out, signal);
    let stopped = false;
    let asked = 0;
    for (const id of rest) {
      if (stopped || asked >= this.readsPerAsk || !this.affordable(1)) {
        stopped = true;
        this.hint(id, 'not-asked');
        continue;
      }
      let detail: NarrativeDetail;
      try {
        asked++;
        detail = await this.o.api.narrative(id, signal);
      } catch (err) {
        if (isMagmaError(err, 'ABORTED')) throw err;
        if (isMagmaError(err, 'API_NOT_FOUND')) {
          this.hint(id, this.o.clock.now() + UNKNOWN_RETRY_MS);
          continue;
        }
        // This narrative's answer is unusable: it waits the engine's growing backoff, the others go on.
        if (isMagmaError(err, 'API_MALFORMED')) {
          this.hint(id, null);
          continue;
        }
        // MAGMA failing: when nothing was learnt it is the engine's to log; else what was learnt counts and the rest
        // wait for the next tick.
        if (asked === 1 && out.length === 0) throw err;
        stopped = true;
        this.hint(id, 'not-asked');
        continue;
      }
      const done = await this.judge(detail, signal);
      if (done) out.push(done);
    }
    return out;
  }

  /**
   * A backlog (several narratives due at once) is first matched against one page of the most recently resolved
   * narratives: one read answers all of them it lists. Returns those it did not list, to be read one by one.
   */
  private async fromPage(ids: readonly string[], out: ResolvedOutcome[], signal?: AbortSignal): Promise<readonly string[]> {
    if (ids.length < PAGE_FROM || !this.o.api.narratives || !this.affordable(1)) return ids;
    let page: Map<string, NarrativeDetail>;
    try {
      page = new Map((await this.o.api.narratives({ status: 'resolved', limit: 100 }, signal)).items.map((d) => [d.id, d]));
    } catch (err) {
      if (isMagmaError(err, 'ABORTED')) throw err;
      return ids; // the list is an economy: without it, the narratives are read one by one
    }
    const rest: string[] = [];
    for (const id of ids) {
      const d = page.get(id);
      // A list item that says neither is_final nor when its challenge window closes may be a summary: the
      // narrative's own read decides whether it is final.
      if (!d || (d.isFinal === null && d.challengeWindowClosesAt === null && d.status !== 'refund')) rest.push(id);
      else {
        const done = await this.judge(d, signal);
        if (done) out.push(done);
      }
    }
    return rest;
  }

  /** A read narrative's outcome when final (with the oracle's confidence and sources); else null, with when to ask again. */
  private async judge(detail: NarrativeDetail, signal?: AbortSignal): Promise<ResolvedOutcome | null> {
    const outcome = this.finalOutcome(detail);
    if (outcome === null) {
      this.hint(detail.id, this.nextChange(detail));
      return null;
    }
    this.hints.delete(detail.id);
    return this.withOracle(detail, outcome, signal);
  }

  /** Whether `calls` more public reads leave the reserve for the gates. */
  private affordable(calls: number): boolean {
    const left = this.o.budgetLeft?.() ?? null;
    return left === null || left - calls >= (this.o.reserve ?? 1);
  }

  private hint(id: string, value: number | 'not-asked' | null): void {
    if (this.hints.size >= MAX_HINTS && !this.hints.has(id)) this.hints.delete(this.hints.keys().next().value!);
    this.hints.set(id, value);
  }

  /** The outcome when the read shows it final, else null. */
  private finalOutcome(d: NarrativeDetail): ResolvedOutcome['outcome'] | null {
    const outcome = outcomeOfStatus(d.status);
    if (outcome === null) return null; // open, live, pending, running, under_review
    if (outcome === 'refund' || d.isFinal === true) return outcome;
    if (d.isFinal === false) return null;
    // No is_final in the answer: its challenge window decides (none given: nothing says it is still open).
    const closes = ms(d.challengeWindowClosesAt);
    return closes === null || closes <= this.o.clock.now() ? outcome : null;
  }

  /** When a narrative still open can next have changed, from what its read said (null: the engine's backoff). */
  private nextChange(d: NarrativeDetail): number | null {
    const now = this.o.clock.now();
    const times = outcomeOfStatus(d.status) !== null
      ? [ms(d.challengeWindowClosesAt)] // resolved, window open: final when it closes
      : d.status === 'under_review' || d.status === 'running' ? [] // a dispute or a scoring: no date to wait for
        : [ms(d.resolutionDate), ms(d.deadlineAt)];
    const next = times.find((t): t is number => t !== null);
    return next !== undefined && next > now ? next : null;
  }

  /** The outcome with the oracle's confidence and sources: its result route, else what the narrative read carried. */
  private async withOracle(d: NarrativeDetail, outcome: ResolvedOutcome['outcome'], signal?: AbortSignal): Promise<ResolvedOutcome> {
    const fromRead: ResolvedOutcome = {
      narrativeId: d.id, outcome, resolvedAt: d.resolvedAt, confidence: d.confidence,
      sources: d.sourcesUsed,
    };
    if (outcome === 'refund' || !this.affordable(1)) return fromRead;
    try {
      const oracle = await this.o.api.oracleResult(d.id, signal);
      if (!oracle || (oracle.result === 'TRUE') !== (outcome === 'true')) return fromRead; // none, or not this resolution
      return { ...fromRead, resolvedAt: d.resolvedAt ?? oracle.resolvedAt, confidence: oracle.confidence ?? d.confidence, sources: oracle.sources.length ? oracle.sources : fromRead.sources };
    } catch (err) {
      if (isMagmaError(err, 'ABORTED')) throw err;
      return fromRead; // the outcome is sure; its details are a nicety
    }
  }
}

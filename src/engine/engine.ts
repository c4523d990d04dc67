// The engine's tick, one code path for every mode: system status → terms → balance → feed → record → evaluate
// strategies → decide → execute → record. Modes differ only in the adapters plugged in (clock, API, chain, executor).
import { decideBacking, type Decision, type Gate, type PortfolioView } from '../core/decide.js';
import { decideResolution, type ResolutionDecision, type ResolutionPolicy } from '../core/decide-resolution.js';
import { errorMessage, isMagmaError, MagmaError } from '../core/errors.js';
import { formatSol } from '../core/money.js';
import { settledPnlLamports, type PayoutModel } from '../core/payout.js';
import { dailyWindowStart, type RiskLimits } from '../core/risk.js';
import type { StrategySources } from '../core/strategy.js';
import type { Logger } from '../log/logger.js';
import type { Chain } from '../ports/chain.js';
import { isoNow, type Clock } from '../ports/clock.js';
import type { Executor } from '../ports/executor.js';
import type { MagmaReadApi } from '../ports/magma-api.js';
import { outcomeOfStatus, type OutcomeSource } from '../ports/outcome-source.js';
import type { FeedObservation, OpinionRecord, OutcomeRecord, SettledBacking, Store } from '../ports/store.js';
import type { Narrative } from '../core/narrative.js';
import { evaluateGates, type Gates } from './gates.js';
import type { Evaluation, StrategyHost } from './strategy-host.js';

export interface EngineDeps {
  clock: Clock;
  api: MagmaReadApi;
  chain: Chain;
  executor: Executor;
  store: Store;
  host: StrategyHost;
  walletAddress: string;
  limits: RiskLimits;
  payout: PayoutModel;
  resolution: ResolutionPolicy;
  logger: Logger;
  sources?: StrategySources;
  /** Backing reports left in the client's per-wallet rate budget right now (null: no budget kept). */
  backingBudget?: () => number | null;
  /** Where outcomes of narratives that left the feed come from; without one, only the feed's own statuses count. */
  outcomes?: OutcomeSource;
  /** issue 14: the operator's pause, read once per tick (a reason closes the backing and oracle gates), or null. */
  paused?: () => string | null;
}

export interface TickSummary {
  tickId: number;
  feedCount: number;
  dropped: number;
  changed: number;
  backed: Decision[];
  skipped: number;
  /** Verdicts submitted (or, dry, recorded) this tick. */
  resolved: ResolutionDecision[];
  gates: Gates;
  balance: bigint | null;
  /** Positions settled this tick, with their profit and loss. */
  settled: SettledBacking[];
}

async function settle<T>(p: Promise<T>): Promise<T | Error> {
  try {
    return await p;
  } catch (err) {
    if (isMagmaError(err, 'ABORTED')) throw err;
    return err instanceof Error ? err : new Error(String(err));
  }
}

export class Engine {
  /** When each narrative that left the feed may next be asked about its outcome. */
  private readonly lookups = new LookupBackoff();

  constructor(private readonly deps: EngineDeps) {}

  async tick(signal?: AbortSignal): Promise<TickSummary> {
    const { clock, store, logger } = this.deps;
    const tickId = store.beginTick(isoNow(clock));
    try {
      const summary = await this.run(tickId, signal);
      store.finishTick(tickId, {
        status: 'ok', finishedAt: isoNow(clock), feedCount: summary.feedCount, droppedCount: summary.dropped,
        decisions: summary.backed.length + summary.skipped,
      });
      return summary;
    } catch (err) {
      const aborted = signal?.aborted || isMagmaError(err, 'ABORTED');
      store.finishTick(tickId, {
        status: aborted ? 'aborted' : 'failed', finishedAt: isoNow(clock),
        errorCode: isMagmaError(err) ? err.code : 'UNEXPECTED', error: logger.redactor.redactString(errorMessage(err)).slice(0, 2000),
      });
      if (aborted && !isMagmaError(err, 'ABORTED')) throw new MagmaError('ABORTED', 'tick abandoned: shutting down.', { cause: err });
      throw err;
    }
  }

  /** Settles what has resolved without polling the feed (a backtest's last step, when its recording ends). */
  async settle(signal?: AbortSignal): Promise<SettledBacking[]> {
    const found = await this.findOutcomes([], signal);
    return this.deps.store.batch(() => this.settleOutcomes(found, isoNow(this.deps.clock)));
  }

  /**
   * Outcomes the feed shows, and what the outcome source says of narratives that left the feed. A failing source
   * only delays this.
   */
  private async findOutcomes(inFeed: readonly Narrative[], signal?: AbortSignal, raw?: readonly FeedObservation[]): Promise<OutcomeRecord[]> {
    const { store, logger, outcomes } = this.deps;
    const found: OutcomeRecord[] = [];
    const exclude = new Set<string>();
    for (let i = 0; i < inFeed.length; i++) {
      const n = inFeed[i]!;
      const outcome = outcomeOfStatus(n.oracleStatus);
      // A resolution the feed item itself says is not final yet (a challenge window open) is left to the outcome source.
      if (outcome && (raw?.[i]?.raw as { is_final?: unknown } | null | undefined)?.is_final === false) continue;
      exclude.add(n.id);
      if (outcome) found.push({ narrativeId: n.id, outcome, resolvedAt: null, source: 'feed' });
    }
    if (outcomes) {
      const now = this.deps.clock.now();
      const limit = Math.min(OUTCOME_LOOKUPS_PER_TICK, outcomes.maxPerAsk ?? OUTCOME_LOOKUPS_PER_TICK);
      // Narratives with a position first (their profit and loss waits on it), then the rest the agent decided on.
      const held = outcomes.scope === 'held' || outcomes.heldFirst ? store.narrativesAwaitingOutcome(exclude, limit, true, now) : [];
      const rest = outcomes.scope === 'held' || held.length >= limit ? [] : store.narrativesAwaitingOutcome(held.length ? new Set([...exclude, ...held]) : exclude, limit - held.length, false, now);
      const awaiting = held.length ? [...held, ...rest] : rest;
      if (awaiting.length) {
        try {
          const answered = await outcomes.outcomes(awaiting, signal);
          for (const o of answered) found.push({ ...o, source: outcomes.name });
          // Asked and still open: asked again later and later (one that never resolves costs little), and not before
          // the source says it can have changed (its deadline, its challenge window).
          const resolved = new Set(answered.map((o) => o.narrativeId));
          for (const id of awaiting) {
            if (resolved.has(id)) continue;
            const hint = outcomes.retryAt?.(id) ?? null;
            if (hint === 'not-asked') continue;
            store.deferOutcomeLookup(id, Math.max(now + this.lookups.asked(id), hint ?? 0));
          }
        } catch (err) {
          if (isMagmaError(err, 'ABORTED')) throw err;
          logger.warn('outcomes.unavailable', { source: outcomes.name, msg: errorMessage(err) });
        }
      }
    }
    return found;
  }

  /** Records new outcomes; each settles the open backings of its narrative under the payout rule. */
  private settleOutcomes(found: readonly OutcomeRecord[], at: string): SettledBacking[] {
    const { store, logger } = this.deps;
    const settled: SettledBacking[] = [];
    for (const o of found) {
      const done = store.recordOutcome(o, at, (stake, outcome) => settledPnlLamports(this.deps.payout, stake, outcome));
      if (!done) continue;
      logger.info('narrative.resolved', {
        narrative_id: o.narrativeId, outcome: o.outcome, source: o.source, settled_positions: done.length,
        ...(o.confidence != null ? { oracle_confidence: o.confidence } : {}),
      });
      for (const s of done) {
        logger.info('position.settled', { narrative_id: s.narrativeId, outcome: o.outcome, amount_lamports: s.stakeLamports, pnl_lamports: s.pnlLamports, pnl: formatSol(s.pnlLamports) });
      }
      settled.push(...done);
      this.deps.host.settled(o.narrativeId, o.outcome); // issue 17: the ensemble learns from what settled
    }
    if (found.length) this.deps.host.learn(at);
    return settled;
  }

  /** The backing gate, closed as well while the per-wallet backing budget (~10/min) is spent. */
  private withBudget(gate: Gate): Gate {
    if (!gate.open) return gate;
    const left = this.deps.backingBudget?.() ?? null;
    return left === 0 ? { open: false, reason: 'backing rate budget spent (~10 backings/min per wallet): the rest wait for the next tick' } : gate;
  }

  /**
   * Records a narrative's opinions and decisions (synchronously, inside the tick's transaction) and returns what
   * must then be done outside it (a verdict to submit, a backing to execute), or null for the common skip.
   */
  private decide(tickId: number, narrative: Narrative, evaluation: Evaluation, t: TickState): PendingWrite | null {
    const { store, logger } = this.deps;
    store.recordOpinions(tickId, narrative.id, t.observedAt, evaluation.records, narrative.oracleStatus);
    for (const r of evaluation.records) if (r.error) logger.warn('strategy.failed', { strategy: r.strategy, narrative_id: narrative.id, error: r.error });
    const decision = decideBacking({
      narrative, forecast: evaluation.forecast, backingGate: t.backingGate, balance: t.balance, portfolio: t.portfolio,
      limits: this.deps.limits, payout: this.deps.payout,
    });
    const decisionId = store.recordDecision(tickId, decision, t.observedAt);
    const verdict = this.resolutionDecision(tickId, narrative, evaluation.records, t);
    if (decision.action !== 'back') {
      if (t.debug) logger.debug('decision.skip', { narrative_id: narrative.id, p_true: round(decision.pTrue), edge: round(decision.edge), reason: decision.reasons[0] });
      if (!verdict) return null;
    }
    return { narrative, decision, decisionId, verdict };
  }

  /** Turns the verdicts strategies proposed into a recorded resolution decision; returns it when it is to be sent. */
  private resolutionDecision(tickId: number, narrative: Narrative, records: readonly OpinionRecord[], t: TickState): { decision: ResolutionDecision; decisionId: number } | null {
    const { store } = this.deps;
    let proposed = false;
    for (let i = 0; i < records.length && !proposed; i++) proposed = !!records[i]!.verdict;
    if (!proposed) return null; // the common case: nothing to decide
    const verdicts = records.flatMap((r) => (r.verdict ? [{ strategy: r.strategy, verdict: r.verdict }] : []));
    const decision = decideResolution({
      narrative, verdicts, policy: this.deps.resolution, gate: t.gates.resolution,
      holdsPosition: t.portfolio.heldNarratives.has(narrative.id),
      alreadySubmitted: store.hasResolution(narrative.id),
    });
    if (!decision) return null;
    const decisionId = store.recordResolutionDecision(tickId, decision, t.observedAt);
    return decision.action === 'resolve' ? { decision, decisionId } : null;
  }

  private async run(tickId: number, signal?: AbortSignal): Promise<TickSummary> {
    const { api, chain, clock, store, host, executor, logger } = this.deps;
    const [status, terms, flags, balance] = await Promise.all([
      settle(api.systemStatus(signal)),
      settle(api.termsStatus(this.deps.walletAddress, signal)),
      settle(api.walletFlag(this.deps.walletAddress, signal)),
      settle(chain.getBalance(this.deps.walletAddress, signal)),
    ]);
    const gates = evaluateGates({ status, terms, flags, paused: this.deps.paused?.() ?? null }); // issue 14: pause
    if (!gates.backing.open) logger.warn('gate.closed', { gate: 'backing', reason: gates.backing.reason });
    if (balance instanceof Error) logger.warn('balance.unknown', { msg: balance.message });
    // What a crash or the last tick left in flight goes on first (crash-only: start-up is just the first tick).
    await executor.resumePending?.(signal);

    const feed = await api.feed(signal); // without a feed there is nothing to decide: the tick fails
    for (const d of feed.dropped) logger.warn('feed.item_dropped', { index: d.index, narrative_id: d.id, reason: d.reason });
    const observedAt = isoNow(clock);
    const nowMs = clock.now();
    const narratives = feed.narratives.map((f) => f.narrative);
    const found = await this.findOutcomes(narratives, signal, feed.narratives);
    const { changed, settled } = store.batch(() => ({ changed: store.recordFeed(tickId, observedAt, feed.narratives), settled: this.settleOutcomes(found, observedAt) }));

    // Every strategy over the whole tick; each narrative's history comes from memory. Built-in strategies run in this
    // thread and only read (the contract types are read-only); plug-ins get a structured clone in their worker.
    const items = narratives.map((n) => ({ narrative: n, history: store.history(n.id, nowMs) }));
    const evaluations = await host.evaluateAll(items, { nowMs, sources: this.deps.sources ?? {} }, signal);
    if (signal?.aborted) throw new MagmaError('ABORTED', 'tick abandoned while strategies ran: shutting down.');

    // risk.maxDailySol over the last 24 hours of the clock, as every executor's guard counts it (sizing never plans
    // a stake the guard would refuse).
    const dayStart = dailyWindowStart(nowMs);
    const t: TickState = {
      observedAt, gates, backingGate: this.withBudget(gates.backing), balance: balance instanceof Error ? null : balance,
      // Read once per tick, and again only after an execution changed it (not once per narrative).
      portfolio: store.portfolioView(dayStart), debug: logger.enabled('debug'),
    };
    const backed: Decision[] = [];
    const resolved: ResolutionDecision[] = [];
    let skipped = 0;
    let next = 0;
    while (next < items.length) {
      // Decisions are recorded in one transaction until one needs a write outside it (rare): that one is done, then
      // the next run of decisions goes on with the portfolio it left.
      const pending = store.batch(() => {
        while (next < items.length) {
          const k = next++;
          const p = this.decide(tickId, items[k]!.narrative, evaluations[k]!, t);
          if (p) return p;
          skipped++;
        }
        return null;
      });
      if (!pending) break;
      if (signal?.aborted) throw new MagmaError('ABORTED', 'tick abandoned between narratives: shutting down.');
      const { narrative, decision, decisionId, verdict } = pending;
      if (verdict) {
        const result = await executor.submitResolution({ decision: verdict.decision, decisionId: verdict.decisionId, narrative }, signal);
        logger.info('decision.resolve', { narrative_id: narrative.id, resolution: verdict.decision.resolution, confidence: verdict.decision.confidence, state: result.state });
        resolved.push(verdict.decision);
        t.portfolio = store.portfolioView(dayStart); // the verdict now bars backing it, later in this tick too
      }
      if (decision.action !== 'back') {
        skipped++;
        continue;
      }
      const result = await executor.execute({ decision, decisionId, narrative }, signal);
      t.portfolio = store.portfolioView(dayStart);
      t.backingGate = this.withBudget(gates.backing);
      if (result.state !== 'cancelled') backed.push(decision);
      else skipped++;
      logger.info('decision.back', {
        narrative_id: narrative.id, title: narrative.title.slice(0, 80), p_true: round(decision.pTrue), edge: round(decision.edge),
        amount_lamports: decision.stakeLamports, stake: formatSol(decision.stakeLamports), state: result.state,
      });
    }
    const summary: TickSummary = {
      tickId, feedCount: feed.narratives.length, dropped: feed.dropped.length, changed, backed, skipped, resolved, gates,
      balance: t.balance, settled,
    };
    logger.info('tick.done', {
      tick: tickId, narratives: summary.feedCount, changed, dropped: summary.dropped, backed: backed.length, skipped,
      backing_gate: gates.backing.open ? 'open' : gates.backing.reason,
    });
    return summary;
  }
}

interface TickState {
  observedAt: string;
  gates: Gates;
  backingGate: Gate;
  balance: bigint | null;
  portfolio: PortfolioView;
  debug: boolean;
}

interface PendingWrite {
  narrative: Narrative;
  decision: Decision;
  decisionId: number;
  verdict: { decision: ResolutionDecision; decisionId: number } | null;
}

/**
 * The outcome of a narrative that left the feed is asked for again after a minute, then after twice as long each
 * time it is still open, up to an hour: a narrative resolves once, and most are asked about a handful of times.
 */
/** How long a narrative asked about and still open waits before it is asked again: 1 min, doubling up to 1 h. */
class LookupBackoff {
  private readonly waits = new Map<string, number>();

  /** Asked now and still open: the wait until the next time. */
  asked(id: string): number {
    const waitMs = Math.min(LOOKUP_MAX_WAIT_MS, (this.waits.get(id) ?? LOOKUP_FIRST_WAIT_MS / 2) * 2);
    this.waits.set(id, waitMs);
    if (this.waits.size > 50_000) this.waits.delete(this.waits.keys().next().value!); // bounded: the oldest asked go first
    return waitMs;
  }
}

const LOOKUP_FIRST_WAIT_MS = 60_000;
const LOOKUP_MAX_WAIT_MS = 3_600_000;

/** How many narratives that left the feed are looked up per tick (bounds the work and the calls). */
const OUTCOME_LOOKUPS_PER_TICK = 100;

const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

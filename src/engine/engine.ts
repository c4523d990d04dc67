// The engine's tick, one code path for every mode: system status → terms → balance → feed → record → evaluate
// strategies → decide → execute → record. Modes differ only in the adapters plugged in (clock, API, chain, executor).
import { decideBacking, type Decision, type Gate, type PortfolioView } from '../core/decide.js';
import { decideResolution, type ResolutionDecision, type ResolutionPolicy } from '../core/decide-resolution.js';
import { errorMessage, isMagmaError, MagmaError } from '../core/errors.js';
import { formatSol } from '../core/money.js';
import { settledPnlLamports, type PayoutModel } from '../core/payout.js';
import type { RiskLimits } from '../core/risk.js';
import type { StrategySources } from '../core/strategy.js';
import type { Logger } from '../log/logger.js';
import type { Chain } from '../ports/chain.js';
import { isoNow, startOfUtcDay, type Clock } from '../ports/clock.js';
import type { Executor } from '../ports/executor.js';
import type { MagmaApi } from '../ports/magma-api.js';
import { outcomeOfStatus, type OutcomeSource } from '../ports/outcome-source.js';
import type { OpinionRecord, OutcomeRecord, SettledBacking, Store } from '../ports/store.js';
import type { Narrative } from '../core/narrative.js';
import { evaluateGates, type Gates } from './gates.js';
import type { StrategyHost } from './strategy-host.js';

export interface EngineDeps {
  clock: Clock;
  api: MagmaApi;
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
    return this.learnOutcomes([], isoNow(this.deps.clock), signal);
  }

  /**
   * Records outcomes the feed shows, and asks the outcome source about narratives that left the feed; each new
   * outcome settles the open backings of that narrative under the payout rule. A failing source only delays this.
   */
  private async learnOutcomes(inFeed: readonly { id: string; oracleStatus: string }[], at: string, signal?: AbortSignal): Promise<SettledBacking[]> {
    const { store, logger, outcomes } = this.deps;
    const found: OutcomeRecord[] = [];
    for (const n of inFeed) {
      const outcome = outcomeOfStatus(n.oracleStatus);
      if (outcome) found.push({ narrativeId: n.id, outcome, resolvedAt: null, source: 'feed' });
    }
    if (outcomes) {
      const awaiting = store.narrativesAwaitingOutcome(new Set(inFeed.map((n) => n.id)), OUTCOME_LOOKUPS_PER_TICK, outcomes.scope === 'held');
      if (awaiting.length) {
        try {
          for (const o of await outcomes.outcomes(awaiting, signal)) found.push({ ...o, source: outcomes.name });
        } catch (err) {
          if (isMagmaError(err, 'ABORTED')) throw err;
          logger.warn('outcomes.unavailable', { source: outcomes.name, msg: errorMessage(err) });
        }
      }
    }
    const settled: SettledBacking[] = [];
    for (const o of found) {
      const done = store.recordOutcome(o, at, (stake, outcome) => settledPnlLamports(this.deps.payout, stake, outcome));
      if (!done) continue;
      logger.info('narrative.resolved', { narrative_id: o.narrativeId, outcome: o.outcome, source: o.source, settled_positions: done.length });
      for (const s of done) {
        logger.info('position.settled', { narrative_id: s.narrativeId, outcome: o.outcome, amount_lamports: s.stakeLamports, pnl_lamports: s.pnlLamports, pnl: formatSol(s.pnlLamports), dry_run: s.dryRun });
      }
      settled.push(...done);
    }
    return settled;
  }

  /** The backing gate, closed as well while the per-wallet backing budget (~10/min) is spent. */
  private withBudget(gate: Gate): Gate {
    if (!gate.open) return gate;
    const left = this.deps.backingBudget?.() ?? null;
    return left === 0 ? { open: false, reason: 'backing rate budget spent (~10 backings/min per wallet): the rest wait for the next tick' } : gate;
  }

  /** Turns the verdicts strategies proposed into a recorded resolution decision, and submits it when it passes. */
  private async considerResolution(tickId: number, narrative: Narrative, records: readonly OpinionRecord[], gates: Gates, portfolio: PortfolioView, signal?: AbortSignal): Promise<ResolutionDecision | null> {
    const { store, executor, clock, logger } = this.deps;
    const verdicts = records.flatMap((r) => (r.verdict ? [{ strategy: r.strategy, verdict: r.verdict }] : []));
    if (verdicts.length === 0) return null; // the common case: nothing to decide, no need to read the portfolio
    const decision = decideResolution({
      narrative, verdicts, policy: this.deps.resolution, gate: gates.resolution,
      holdsPosition: portfolio.heldNarratives.has(narrative.id),
      alreadySubmitted: store.hasResolution(narrative.id),
    });
    if (!decision) return null;
    const decisionId = store.recordResolutionDecision(tickId, decision, executor.dryRun, isoNow(clock));
    if (decision.action !== 'resolve') return null;
    const result = await executor.submitResolution({ decision, decisionId, narrative }, signal);
    logger.info('decision.resolve', { narrative_id: narrative.id, resolution: decision.resolution, confidence: decision.confidence, state: result.state, dry_run: executor.dryRun });
    return decision;
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
    const changed = store.recordFeed(tickId, observedAt, feed.narratives);
    const settled = await this.learnOutcomes(feed.narratives.map((f) => f.narrative), observedAt, signal);

    const backed: Decision[] = [];
    const resolved: ResolutionDecision[] = [];
    let skipped = 0;
    const dayStart = startOfUtcDay(clock.now());
    // Read once per tick, and again only after an execution changed it (not once per narrative).
    let portfolio = store.portfolioView(executor.dryRun, dayStart);
    for (const { narrative } of feed.narratives) {
      if (signal?.aborted) throw new MagmaError('ABORTED', 'tick abandoned between narratives: shutting down.');
      const history = store.history(narrative.id, observedAt);
      const evaluation = await host.evaluate(narrative, { history, clock: { now: () => clock.now() }, sources: this.deps.sources ?? {} }, signal);
      if (signal?.aborted) throw new MagmaError('ABORTED', 'tick abandoned while strategies ran: shutting down.');
      store.recordOpinions(tickId, narrative.id, observedAt, evaluation.records, narrative.oracleStatus);
      for (const r of evaluation.records) if (r.error) logger.warn('strategy.failed', { strategy: r.strategy, narrative_id: narrative.id, error: r.error });

      const decision = decideBacking({
        narrative,
        forecast: evaluation.forecast,
        backingGate: this.withBudget(gates.backing),
        balance: balance instanceof Error ? null : balance,
        portfolio,
        limits: this.deps.limits,
        payout: this.deps.payout,
      });
      const decisionId = store.recordDecision(tickId, decision, executor.dryRun, isoNow(clock));
      const verdict = await this.considerResolution(tickId, narrative, evaluation.records, gates, portfolio, signal);
      if (verdict) resolved.push(verdict);
      if (decision.action !== 'back') {
        logger.debug('decision.skip', { narrative_id: narrative.id, p_true: round(decision.pTrue), edge: round(decision.edge), reason: decision.reasons[0] });
        skipped++;
        continue;
      }
      const result = await executor.execute({ decision, decisionId, narrative }, signal);
      portfolio = store.portfolioView(executor.dryRun, dayStart);
      if (result.state !== 'cancelled') backed.push(decision);
      else skipped++;
      logger.info('decision.back', {
        narrative_id: narrative.id, title: narrative.title.slice(0, 80), p_true: round(decision.pTrue), edge: round(decision.edge),
        amount_lamports: decision.stakeLamports, stake: formatSol(decision.stakeLamports), state: result.state, dry_run: executor.dryRun,
      });
    }
    const summary: TickSummary = {
      tickId, feedCount: feed.narratives.length, dropped: feed.dropped.length, changed, backed, skipped, resolved, gates,
      balance: balance instanceof Error ? null : balance, settled,
    };
    logger.info('tick.done', {
      tick: tickId, narratives: summary.feedCount, changed, dropped: summary.dropped, backed: backed.length, skipped,
      backing_gate: gates.backing.open ? 'open' : gates.backing.reason, dry_run: executor.dryRun,
    });
    return summary;
  }
}

/** How many narratives that left the feed are looked up per tick (bounds the work and the calls). */
const OUTCOME_LOOKUPS_PER_TICK = 100;

const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

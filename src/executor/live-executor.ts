// The live executor: backs narratives with real transactions, exactly once per intent, and submits verdicts.
// Every step is journaled (committed) before the next one leaves the process:
//   intent → signed → sent → confirmed → reported      (final: reported, expired, failed, cancelled)
// One `drive(row)` moves a row as far as it can; a fresh intent, a row found unfinished at start-up and a row left in
// flight by the previous tick all go through it (crash-only: recovery is normal operation). The same signed bytes are
// resent until they land or their blockhash provably expires; only then may the intent be signed again, and only if
// it is still wanted. A timeout is never taken as a failure: what is not finished stays in flight for the next tick.
import type { WalletKeypair } from '../wallet/keypair.js';
import { signBackNarrative } from '../chain/sign-back-narrative.js';
import type { ResolutionPolicy } from '../core/decide-resolution.js';
import { errorMessage, isMagmaError, MagmaError } from '../core/errors.js';
import { formatSol } from '../core/money.js';
import type { RiskLimits } from '../core/risk.js';
import type { Logger } from '../log/logger.js';
import type { TransactionChain } from '../ports/chain.js';
import { isoNow, type Clock } from '../ports/clock.js';
import type { ExecutionRequest, ExecutionResult, Executor, ResolutionRequest, ResolutionResult } from '../ports/executor.js';
import { FINAL_BACKING_STATES, type AttemptRow, type BackingRow, type Journal } from '../ports/journal.js';
import type { MagmaApi } from '../ports/magma-api.js';
import { crashPoint } from '../testing/crash-point.js';
import { reconcileWithApi, type ReconcileSummary } from './reconcile-api.js';
import { HELD_BY_MAGMA, ResolutionFlow } from './resolution-flow.js';
import { guardWindows, riskRefusal } from './risk-guard.js';
import { WriteGates } from './write-gates.js';
import type { MagmaLiveness } from './magma-liveness.js';

export interface BackingSettings {
  programId: string;
  computeUnitLimit: number;
  priorityFeeMicroLamports: number;
  pollMs: number;
  resendMs: number;
  confirmTimeoutSeconds: number;
  maxSignings: number;
  maxPerMinute: number;
  /**
   * Slots back from its answer that any RPC node is trusted to know a transaction's status (a node without
   * transaction history keeps about 300): beyond it, an absence proves nothing without a visible canary.
   */
  statusWindowSlots: number;
  /** Send, confirm and report beside the tick loop (execute() only journals the intent); off: within the call. */
  background: boolean;
}

export interface LiveExecutorOptions {
  journal: Journal;
  chain: TransactionChain;
  api: MagmaApi;
  clock: Clock;
  logger: Logger;
  keypair: WalletKeypair;
  limits: RiskLimits;
  resolution: ResolutionPolicy;
  backing: BackingSettings;
  /** Whether the wallet holds a position in a narrative (no verdicts on those unless allowed). */
  holds?: (narrativeId: string) => boolean;
  /** Whether the last call to MAGMA failed: writes probe GET /v1/health first then. */
  liveness?: MagmaLiveness;
}

/** The app's deadline: now + 7 days (PROTOCOL.md section 3). */
const DEADLINE_SECONDS = 7n * 86_400n;
/** The base fee of one signature. */
const SIGNATURE_FEE = 5_000n;
/**
 * Rent the program may take for the backing record (`["backing", id, backer]`): rent-exemption for an account of up to
 * ~160 bytes ((128 + 160) × 3,480 × 2 = 2,004,480 lamports). The layout is not published; this bounds it from above.
 */
const BACKING_RECORD_RENT = 2_010_000n;
const PREFLIGHT = 'preflight refused: ';
/** Consecutive failed polls after which a wait for confirmation is left to the next tick. */
const MAX_RPC_FAILURES_PER_WAIT = 10;
/** How old a decision may be before its intent is no longer signed (after a long outage or downtime). */
const STALE_INTENT_MS = 60 * 60_000;

type Confirmation = 'confirmed' | 'failed' | 'expired' | 'pending';

/** What one process remembers while it watches an intent's attempts (rebuilt from the chain after a restart). */
interface Watch {
  lastSend: number;
  /** Attempts with a status in the last answer (their bytes are not resent). */
  seen: Set<string>;
  /** Per attempt: the slot of a finalized block above its lastValidBlockHeight (a fact of the chain, any node). */
  proofSlot: Map<string, number>;
  /** Consecutive answers that proved an attempt absent. */
  nulls: Map<string, number>;
  rpcFailures: number;
  /** What the operator was already told (said once per process). */
  told: Set<string>;
  /** After MAGMA refused a report: not before this clock time. */
  reportNotBefore: number;
  /** A report refused before its transaction was finalized: not sent again before a finalized block reaches this slot. */
  reportAfterSlot: number | null;
}

/** Without its bank's slot (attempts journaled before 0008), the earliest slot an attempt can have been signed at. */
const signedSlotOf = (a: AttemptRow): number => a.signedSlot ?? a.lastValidBlockHeight - MAX_PROCESSING_AGE;
/** Blocks a blockhash stays valid on Solana: a height is never above its slot, so lvbh - 150 bounds the slot below. */
const MAX_PROCESSING_AGE = 150;
const UNPROVEN = 'cannot prove this transaction expired: ';
const GATES_TTL_MS = 15_000;
const REPORT_REFUSED_RETRY_MS = 60_000;
/** How long MAGMA's portfolio, as last read, answers whether a verdict would be a conflict of interest. */
const PORTFOLIO_TTL_MS = 60_000;
/** After a failed read of MAGMA's portfolio, how long verdicts wait before it is asked again. */
const PORTFOLIO_RETRY_MS = 15_000;

export class LiveExecutor implements Executor {
  readonly wallet: string;
  private readonly gates: WriteGates;
  private readonly resolutions: ResolutionFlow;
  private reconciled = false;
  private readonly watches = new Map<number, Watch>();
  /** MAGMA's portfolio as last read (a verdict checks it; reconciliation refreshes it). */
  private magmaHeld: { atMs: number; held: ReadonlySet<string> } | null = null;
  /** Why the last read of MAGMA's portfolio failed, and when: not asked again for PORTFOLIO_RETRY_MS (one tick's verdicts). */
  private magmaUnread: { atMs: number; why: string } | null = null;
  /** Background mode: the driver's run, rows journaled by execute() not yet signed, and how to stop it. */
  private driver: Promise<void> | null = null;
  private running = false;
  private readonly fresh = new Set<number>();
  private readonly stopping = new AbortController();
  private fatal: unknown = null;

  constructor(private readonly o: LiveExecutorOptions) {
    this.wallet = o.keypair.publicKey.toBase58();
    // Kept 15 s: beside a tick that reads the gates itself every few seconds, the driver's re-checks stay inside the
    // public read budget (a 503 from a halted component still closes them at once), so the tick never waits for it.
    this.gates = new WriteGates(o.api, this.wallet, o.clock, GATES_TTL_MS, o.liveness);
    // "Holds" for verdicts: the journal's open and in-flight backings (a landed attempt keeps its row confirmed or
    // reported, so open until settled), and MAGMA's portfolio, read again when older than PORTFOLIO_TTL_MS.
    this.resolutions = new ResolutionFlow({
      journal: o.journal, clock: o.clock, logger: o.logger, policy: o.resolution, sending: { api: o.api, gates: this.gates },
      ...(o.holds ? { holds: o.holds } : {}), heldElsewhere: (id, signal) => this.heldByMagma(id, signal),
    });
  }

  private now(): string {
    return isoNow(this.o.clock);
  }

  /** What one backing costs beyond its stake: the base fee, the configured priority fee and the record's rent. */
  private costs(): bigint {
    const { computeUnitLimit, priorityFeeMicroLamports } = this.o.backing;
    const priority = (BigInt(computeUnitLimit) * BigInt(priorityFeeMicroLamports) + 999_999n) / 1_000_000n;
    return SIGNATURE_FEE + priority + BACKING_RECORD_RENT;
  }

  private deadline(): number {
    return this.o.clock.now() + this.o.backing.confirmTimeoutSeconds * 1000;
  }

  async execute(req: ExecutionRequest, signal?: AbortSignal): Promise<ExecutionResult> {
    const { journal, clock, logger } = this.o;
    const stake = req.decision.stakeLamports;
    const row = journal.openBacking(
      { intentKey: `live:${req.decisionId}:${req.narrative.id}`, decisionId: req.decisionId, narrativeId: req.narrative.id, category: req.narrative.category, stakeLamports: stake, wallet: this.wallet },
      guardWindows(clock.now()),
      (view) => (req.decision.action === 'back' ? riskRefusal({ narrativeId: req.narrative.id, category: req.narrative.category, stakeLamports: stake }, view, this.o.limits, this.o.backing.maxPerMinute) : 'the decision is not to back'),
    );
    if (row.state === 'cancelled') {
      logger.warn('backing.refused', { narrative_id: row.narrativeId, amount_lamports: stake, reason: row.error, msg: `not backing: ${row.error}` });
      return { backingId: row.id, state: row.state };
    }
    if (row.state === 'intent' && row.signCount === 0) {
      crashPoint('backing:intent');
      logger.info('backing.intent', { narrative_id: row.narrativeId, amount_lamports: stake, msg: `journaled the intent to back with ${formatSol(stake)}` });
    }
    if (this.o.backing.background) {
      // The tick goes on at once: the driver signs, sends, confirms and reports beside it.
      if (row.state === 'intent') this.fresh.add(row.id);
      this.kick(signal);
      return { backingId: row.id, state: row.state };
    }
    const done = await this.drive(row, { fresh: true, until: this.deadline() }, signal);
    return { backingId: done.id, state: done.state };
  }

  /**
   * Starts the driver unless it runs: it drives every unfinished row one step at a time (one send, one look at the
   * chain, one report), then sleeps backing.pollMs, and stops by itself when nothing is left in flight; the next
   * execute() or resumePending() starts it again. It stops on the caller's signal or stop(); every step it took is
   * journaled, so whatever it leaves resumes at the next start. An error that needs the operator is kept and thrown
   * from the next execute() or resumePending(), so the daemon stops for it.
   */
  private kick(signal?: AbortSignal): void {
    this.throwFatal();
    if (this.running || this.stopping.signal.aborted) return;
    const stop = signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal;
    this.running = true;
    const run: Promise<void> = this.runDriver(stop)
      .catch((err: unknown) => {
        if (isMagmaError(err, 'ABORTED') || stop.aborted) return;
        this.fatal = err;
        this.o.logger.error('backing.driver_stopped', { code: isMagmaError(err) ? err.code : 'UNEXPECTED', msg: `backings in flight are no longer driven: ${errorMessage(err)}` });
      })
      .finally(() => {
        if (this.driver === run) {
          this.driver = null;
          this.running = false;
        }
      });
    this.driver = run;
  }

  private async runDriver(signal: AbortSignal): Promise<void> {
    const { journal, clock, backing } = this.o;
    for (;;) {
      const rows = journal.unfinishedBackings();
      if (!rows.length) {
        // Decided in the same turn as the read: an intent journaled from now on starts a new run.
        this.running = false;
        return;
      }
      for (const row of rows) {
        if (signal.aborted) return;
        await this.drive(row, { fresh: this.fresh.delete(row.id), until: clock.now() }, signal);
      }
      if (signal.aborted) return;
      // Transient RPC failures (unhealthy node, 429, 5xx, timeouts): back off, up to 30 s between passes.
      const failing = Math.max(0, ...rows.map((r) => this.watches.get(r.id)?.rpcFailures ?? 0));
      await clock.sleep(failing > 1 ? Math.min(backing.pollMs * 2 ** Math.min(failing - 1, 5), 30_000) : backing.pollMs, signal);
    }
  }

  private throwFatal(): void {
    if (this.fatal) throw this.fatal;
  }

  /** Whether the background driver is running (it stops by itself when nothing is in flight). */
  get driving(): boolean {
    return this.running;
  }

  /** Waits (at most `maxMs` of the clock) until nothing is in flight: `run --once` and tests. */
  async settle(maxMs: number, signal?: AbortSignal): Promise<void> {
    const until = this.o.clock.now() + maxMs;
    // A backing nothing can prove expired waits for the operator, not for this call: it does not hold it.
    const waitingFor = () => this.o.journal.unfinishedBackings().filter((r) => !r.error?.startsWith(UNPROVEN));
    while (this.running && this.driver && waitingFor().length && this.o.clock.now() < until && !signal?.aborted) {
      const waiting = new AbortController();
      const both = signal ? AbortSignal.any([signal, waiting.signal]) : waiting.signal;
      try {
        await Promise.race([this.driver, this.o.clock.sleep(Math.max(1, Math.min(this.o.backing.pollMs, until - this.o.clock.now())), both).catch(() => undefined)]);
      } finally {
        waiting.abort();
      }
    }
    this.throwFatal();
  }

  /** Stops the driver and waits for its step in progress (before the store closes). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.driver;
  }

  /**
   * Start-up reconciliation and the start of every tick: every unfinished row is driven on from the chain's and the
   * API's view; the first time in a process, the API's portfolio and history are compared with the journal.
   */
  async resumePending(signal?: AbortSignal): Promise<void> {
    const rows = this.o.journal.unfinishedBackings();
    const until = this.deadline();
    if (rows.length && !this.driver) this.o.logger.info('backing.resuming', { count: rows.length, msg: `resuming ${rows.length} backing(s) left unfinished` });
    if (this.o.backing.background) this.kick(signal);
    else for (const row of rows) await this.drive(row, { fresh: false, until }, signal);
    await this.resolutions.resumePending(signal);
    if (!this.reconciled) {
      await this.reconcile(signal);
      this.reconciled = true;
    }
  }

  /**
   * Why MAGMA's portfolio bars a verdict on this narrative, or null. Read at most once per PORTFOLIO_TTL_MS, well
   * inside the agent family's rate budget; when it cannot be read and the last read is older than that, the answer
   * is "not known", and no verdict goes out on a guess.
   */
  private async heldByMagma(narrativeId: string, signal?: AbortSignal): Promise<string | null> {
    const now = this.o.clock.now();
    if (!this.magmaHeld || now - this.magmaHeld.atMs > PORTFOLIO_TTL_MS) {
      const age = this.magmaHeld ? `${Math.round((now - this.magmaHeld.atMs) / 1000)} s old` : 'missing';
      const unknown = (why: string) => `MAGMA's portfolio could not be read (${why}) and the last read is ${age}: no verdict is sent without knowing whether the wallet holds a position`;
      if (this.magmaUnread && now - this.magmaUnread.atMs < PORTFOLIO_RETRY_MS) return unknown(this.magmaUnread.why);
      try {
        const portfolio = await this.o.api.portfolio(signal);
        this.magmaHeld = { atMs: now, held: new Set(portfolio.positions.map((p) => p.narrativeId)) };
        this.magmaUnread = null;
      } catch (err) {
        if (isMagmaError(err, 'ABORTED') || signal?.aborted) throw err;
        this.magmaUnread = { atMs: now, why: errorMessage(err).slice(0, 200) };
        return unknown(this.magmaUnread.why);
      }
    }
    return this.magmaHeld.held.has(narrativeId) ? `${HELD_BY_MAGMA} in it (resolution.allowOwnPositions is off)` : null;
  }

  /** Compares the API's portfolio and history with the journal and logs every difference loudly. */
  async reconcile(signal?: AbortSignal): Promise<ReconcileSummary | null> {
    try {
      const summary = await reconcileWithApi({ api: this.o.api, journal: this.o.journal, logger: this.o.logger }, signal);
      this.magmaHeld = { atMs: this.o.clock.now(), held: new Set(summary.heldNarratives) };
      return summary;
    } catch (err) {
      if (isMagmaError(err, 'ABORTED')) throw err;
      this.o.logger.warn('reconcile.unavailable', { msg: `could not compare the journal with the API's portfolio: ${errorMessage(err)}; trying again at the next start` });
      return null;
    }
  }

  submitResolution(req: ResolutionRequest, signal?: AbortSignal): Promise<ResolutionResult> {
    return this.resolutions.submit(req, signal);
  }

  /** Moves one row as far as it can go before `until`; never throws except when aborted. */
  private async drive(start: BackingRow, ctx: { fresh: boolean; until: number }, signal?: AbortSignal): Promise<BackingRow> {
    let row = start;
    const log = this.o.logger.child({ narrative_id: row.narrativeId, amount_lamports: row.stakeLamports });
    try {
      for (;;) {
        if (FINAL_BACKING_STATES.has(row.state)) {
          this.watches.delete(row.id); // nothing more to watch: what it learnt is in the journal
          return row;
        }
        if (row.state === 'intent') {
          const why = await this.refusal(row, ctx.fresh, signal);
          if (why) {
            row = this.o.journal.transition(row, 'cancelled', this.now(), { error: why, note: why });
            crashPoint('backing:cancelled');
            log.warn('backing.cancelled', { msg: `not backing after all: ${why}` });
            return row;
          }
          row = await this.sign(row, signal);
          continue;
        }
        if (row.state === 'signed' || row.state === 'sent') {
          const outcome = await this.confirm(row, ctx.until, log, signal);
          row = this.o.journal.backing(row.id);
          if (outcome === 'pending') return this.pending(row, log);
          if (outcome === 'confirmed' || outcome === 'failed') continue;
          row = await this.afterExpiry(row, log, signal);
          continue;
        }
        if (row.state === 'confirmed') {
          if (!(await this.report(row, ctx.until, log, signal))) return this.pending(row, log);
          row = this.o.journal.backing(row.id);
          continue;
        }
        throw new MagmaError('JOURNAL_CONFLICT', `backing ${row.id} is in an unknown state ${row.state}.`);
      }
    } catch (err) {
      if (isMagmaError(err, 'ABORTED') || signal?.aborted) throw isMagmaError(err, 'ABORTED') ? err : new MagmaError('ABORTED', 'backing abandoned: shutting down; it resumes at the next start.', { cause: err });
      if (isMagmaError(err) && err.consequence === 'stop') throw err;
      this.once(row.id, `interrupted:${row.state}`, () => log.warn('backing.interrupted', { state: row.state, tx: row.signature, msg: `the backing stays ${row.state}: ${errorMessage(err)}; it resumes on the next tick` }));
      return this.o.journal.backing(row.id);
    }
  }

  private pending(row: BackingRow, log: Logger): BackingRow {
    if (this.o.backing.background) return row; // the driver looks again after backing.pollMs: nothing to say
    log.warn('backing.pending', { state: row.state, tx: row.signature, msg: `still ${row.state} when this tick's wait ran out; it resumes on the next tick and nothing is lost` });
    return row;
  }

  /** Why an intent should no longer be signed (gates, narrative state, balance); null when it is still wanted. */
  private async refusal(row: BackingRow, fresh: boolean, signal?: AbortSignal): Promise<string | null> {
    if (row.wallet && row.wallet !== this.wallet) return `the intent was made for wallet ${row.wallet}, and this agent now signs with ${this.wallet}`;
    if (!fresh) {
      // A decision is only as good as the prices and crowd it was made on: an old intent is not signed (again).
      const ageMs = this.o.clock.now() - Date.parse(row.createdAt);
      if (ageMs > STALE_INTENT_MS) return `the decision is ${Math.round(ageMs / 60_000)} min old; a stale intent is not signed (the engine decides afresh)`;
      // The engine checked these a moment ago for a fresh intent; anything older is checked again.
      const gate = await this.gates.backing(signal);
      if (!gate.open) return `backing gate closed: ${gate.reason}`;
      const closed = await this.gates.narrativeRefusal(row.narrativeId, signal);
      if (closed) return closed;
    }
    const balance = await this.o.chain.getBalance(this.wallet, signal);
    // Other intents of this wallet not yet confirmed may move money before this one lands: their stakes are spoken for.
    const others = this.o.journal.backingsInStates(['intent', 'signed', 'sent'])
      .filter((r) => r.id !== row.id && (r.wallet ?? this.wallet) === this.wallet)
      .reduce((sum, r) => sum + r.stakeLamports + this.costs(), 0n);
    const needed = row.stakeLamports + this.costs() + this.o.limits.minBalance + others;
    if (balance < needed) {
      return `the wallet holds ${formatSol(balance)}, less than the stake plus fees and the backing record's rent, risk.minBalanceSol${others > 0n ? ` and ${formatSol(others)} for other backings in flight` : ''} (${formatSol(needed)})`;
    }
    return null;
  }

  private async sign(row: BackingRow, signal?: AbortSignal): Promise<BackingRow> {
    const { chain, clock, keypair, backing } = this.o;
    const latest = await chain.getLatestBlockhash(signal);
    const signed = signBackNarrative({
      keypair, programId: backing.programId, narrativeId: row.narrativeId, lamports: row.stakeLamports,
      deadlineUnix: BigInt(Math.floor(clock.now() / 1000)) + DEADLINE_SECONDS, blockhash: latest.blockhash,
      lastValidBlockHeight: latest.lastValidBlockHeight, computeUnitLimit: backing.computeUnitLimit,
      computeUnitPriceMicroLamports: backing.priorityFeeMicroLamports,
    });
    const again = row.signCount > 0;
    const next = this.o.journal.transition(row, 'signed', this.now(), {
      attempt: { signature: signed.signature, blockhash: latest.blockhash, lastValidBlockHeight: latest.lastValidBlockHeight, signedTx: signed.wire, signedSlot: latest.slot },
      error: null,
      note: again ? `signed again after attempt ${row.signCount} provably expired` : 'signed',
    });
    crashPoint('backing:signed');
    this.watchOf(row.id).lastSend = -Infinity; // the new bytes go out at once
    this.o.logger.info(again ? 'backing.resigned' : 'backing.signed', {
      narrative_id: row.narrativeId, amount_lamports: row.stakeLamports, tx: signed.signature, last_valid_block_height: latest.lastValidBlockHeight,
      msg: again ? `signed again with a fresh blockhash (attempt ${next.signCount} of ${this.o.backing.maxSignings})` : `signed the backing transaction; it is valid until block ${latest.lastValidBlockHeight}`,
    });
    return next;
  }

  /** Says `event` once per row and process (the driver passes over a waiting row every backing.pollMs). */
  private once(rowId: number, key: string, say: () => void): void {
    const w = this.watchOf(rowId);
    if (w.told.has(key)) return;
    w.told.add(key);
    say();
  }

  private watchOf(rowId: number): Watch {
    let w = this.watches.get(rowId);
    if (!w) this.watches.set(rowId, (w = { lastSend: -Infinity, seen: new Set(), proofSlot: new Map(), nulls: new Map(), rpcFailures: 0, told: new Set(), reportNotBefore: -Infinity, reportAfterSlot: null }));
    return w;
  }

  /**
   * Sends the current attempt's journaled bytes (again every resendMs) and watches every attempt of the intent until
   * one lands or each provably expires; in flight until `until`, then left to the next pass.
   */
  private async confirm(start: BackingRow, until: number, log: Logger, signal?: AbortSignal): Promise<Confirmation> {
    const { clock, backing } = this.o;
    const w = this.watchOf(start.id);
    for (;;) {
      try {
        const outcome = await this.poll(this.o.journal.backing(start.id), w, log, signal);
        if (w.rpcFailures > 0) log.info('rpc.recovered', { tx: start.signature, msg: 'the Solana RPC answers again' });
        w.rpcFailures = 0;
        if (outcome !== 'pending') return outcome;
      } catch (err) {
        if (isMagmaError(err, 'ABORTED') || signal?.aborted) throw err;
        if (isMagmaError(err) && err.consequence === 'stop') throw err;
        // Transient (unhealthy node, min context slot not reached, 429, 5xx, timeouts): retried with backoff.
        if (w.rpcFailures++ === 0) {
          const row = this.o.journal.backing(start.id);
          log.warn('rpc.unavailable', { tx: row.signature, state: row.state, msg: `the Solana RPC did not answer (${errorMessage(err)}); the transaction stays ${row.state} and is checked again` });
        }
        // A long outage should not hold the caller: the row stays in flight and the next pass looks again.
        if (w.rpcFailures >= MAX_RPC_FAILURES_PER_WAIT) return 'pending';
      }
      const backoff = w.rpcFailures > 0 ? Math.min(backing.pollMs * 2 ** Math.min(w.rpcFailures - 1, 5), 30_000) : backing.pollMs;
      if (clock.now() + (w.rpcFailures > 0 ? backoff : 0) >= until || clock.now() >= until) return 'pending';
      try {
        await clock.sleep(backoff, signal);
      } catch (cause) {
        throw new MagmaError('ABORTED', 'stopped while waiting for a confirmation; the backing resumes at the next start.', { cause });
      }
    }
  }

  /**
   * One look at the chain for one intent. Expiry is proven only on one consistent view: the statuses' own
   * context.slot must be at or past the slot of a finalized block above the attempt's lastValidBlockHeight (learnt
   * from getEpochInfo, which gives one bank's slot and height together), and that view must still see back to the
   * slot the attempt was signed at: either within backing.statusWindowSlots (what every node keeps), or shown by a
   * canary that landed before the attempt was signed, visible in the same answer. An attempt a node ever answered
   * "already processed" for, or ever showed a status for, is never called expired.
   */
  private async poll(row: BackingRow, w: Watch, log: Logger, signal?: AbortSignal): Promise<Confirmation> {
    const { chain, clock, journal, backing } = this.o;
    const current = row.signature;
    if (current && row.signedTx && row.state !== 'confirmed' && !w.seen.has(current) && clock.now() - w.lastSend >= backing.resendMs) {
      w.lastSend = clock.now();
      const sent = await chain.sendTransaction(row.signedTx, signal);
      crashPoint('backing:send-answered');
      if (sent.ok || sent.kind === 'already-processed') {
        if (!sent.ok && !w.told.has(`processed:${current}`)) {
          // These bytes reached a node: this attempt may land (or have landed) and is never called expired.
          journal.noteAttempt(current, { evidence: 'already-processed' });
          w.told.add(`processed:${current}`);
          log.info('backing.already_processed', { tx: current, msg: 'the node says these bytes were already processed: the transaction reached the chain; waiting for its status' });
        }
        if (row.state === 'signed') {
          row = journal.transition(row, 'sent', this.now(), { note: sent.ok ? 'the node accepted it' : 'the node had already processed these bytes' });
          crashPoint('backing:sent');
          log.info('backing.sent', { tx: current, msg: 'sent the transaction; waiting for confirmation' });
        }
      } else if (sent.kind === 'rejected' && !row.error?.startsWith(PREFLIGHT)) {
        row = journal.noteBackingError(row, PREFLIGHT + sent.message.slice(0, 300), this.now());
        log.warn('backing.rejected', { tx: current, msg: `the node refused the transaction (${sent.message.slice(0, 200)}); waiting for its blockhash to expire before calling it failed` });
      }
    }
    const attempts = journal.attempts(row.id).filter((a) => a.outcome === 'pending');
    if (!attempts.length) return row.state === 'confirmed' ? 'confirmed' : 'pending';
    const finalized = await chain.getEpochInfo(signal, 'finalized');
    for (const a of attempts) {
      if (finalized.blockHeight > a.lastValidBlockHeight && !w.proofSlot.has(a.signature)) w.proofSlot.set(a.signature, finalized.slot);
    }
    const pastValidity = attempts.filter((a) => w.proofSlot.has(a.signature));
    const oldest = pastValidity.length ? Math.min(...pastValidity.map(signedSlotOf)) : null;
    const canary = oldest === null ? null : journal.landedCanary(oldest);
    const asked = [...attempts.map((a) => a.signature), ...(canary && !attempts.some((a) => a.signature === canary) ? [canary] : [])];
    const answer = await chain.getSignatureStatuses(asked, signal);
    const canaryVisible = canary !== null && asked.length > attempts.length && answer.value[asked.length - 1] !== null;

    const landed: Array<{ signature: string; slot: number }> = [];
    let currentFailed: { slot: number; err: unknown } | null = null;
    const expired: string[] = [];
    const unprovable: Array<{ signature: string; why: string }> = [];
    for (const [i, a] of attempts.entries()) {
      const status = answer.value[i] ?? null;
      if (status) {
        w.nulls.delete(a.signature);
        if (!w.seen.has(a.signature)) {
          w.seen.add(a.signature);
          if (a.evidence !== 'status') journal.noteAttempt(a.signature, { evidence: 'status' });
        }
        if (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized') {
          if (status.err) {
            if (a.signature === current) currentFailed = { slot: status.slot, err: status.err };
            else journal.noteAttempt(a.signature, { outcome: 'failed', landedSlot: status.slot });
          } else {
            landed.push({ signature: a.signature, slot: status.slot });
          }
        }
        continue;
      }
      if (w.seen.delete(a.signature)) {
        // Seen at processed, gone now: a minority fork. The same bytes can still land: resend them.
        w.lastSend = -Infinity;
        log.warn('backing.status_lost', { tx: a.signature, msg: 'the transaction\'s status disappeared (a minority fork): resending the same bytes; it is never signed again' });
      }
      const proofSlot = w.proofSlot.get(a.signature);
      if (proofSlot === undefined) continue; // still valid: it may land
      if (answer.slot < proofSlot) {
        if (!w.told.has(`lag:${a.signature}`)) {
          w.told.add(`lag:${a.signature}`);
          log.info('rpc.status_behind', { tx: a.signature, status_slot: answer.slot, finalized_slot: proofSlot, msg: 'the node answering statuses has not yet seen the block that ends this transaction\'s validity; waiting for it before anything is concluded' });
        }
        continue;
      }
      const why = a.evidence
        ? `a node said it ${a.evidence === 'status' ? 'saw it' : 'had already processed it'}, so it may have landed`
        : answer.slot - signedSlotOf(a) > backing.statusWindowSlots && !canaryVisible
          ? `the RPC answered ${answer.slot - signedSlotOf(a)} slots after it was signed (more than backing.statusWindowSlots ${backing.statusWindowSlots}) and no transaction known to have landed before it is visible there, so a missing status may only mean the node has no history`
          : null;
      if (why) {
        unprovable.push({ signature: a.signature, why });
        continue;
      }
      const n = (w.nulls.get(a.signature) ?? 0) + 1;
      w.nulls.set(a.signature, n);
      if (n >= 2) expired.push(a.signature); // the answer held on a second look
    }

    if (landed.length) {
      const primary = landed.find((l) => l.signature === current) ?? landed[0]!;
      if (row.state === 'signed' || row.state === 'sent') {
        if (primary.signature !== current) {
          row = journal.adoptAttempt(row, primary.signature, this.now());
          log.warn('backing.adopted', { tx: primary.signature, msg: 'an earlier attempt of this backing landed after all: it is the one tracked and reported; nothing is signed again' });
        }
        journal.transition(row, 'confirmed', this.now(), { slot: primary.slot, error: null, note: `confirmed in slot ${primary.slot}` });
        crashPoint('backing:confirmed');
        log.info('backing.confirmed', { tx: primary.signature, slot: primary.slot, msg: 'the backing is confirmed on chain' });
      }
      for (const extra of landed.filter((l) => l !== primary || row.state === 'confirmed')) {
        if (extra.signature === row.signature && row.state === 'confirmed') continue;
        journal.noteAttempt(extra.signature, { outcome: 'landed', landedSlot: extra.slot });
        log.error('backing.second_transfer', { tx: extra.signature, narrative_id: row.narrativeId, msg: 'another attempt of this backing landed too: this intent moved money more than once. It is journaled, counted against the limits and reported; check the wallet\'s transfers and report this as a bug.' });
      }
      return 'confirmed';
    }
    if (currentFailed && attempts.length === 1) {
      journal.transition(row, 'failed', this.now(), { slot: currentFailed.slot, error: `landed but failed: ${JSON.stringify(currentFailed.err).slice(0, 300)}`, note: 'landed with an error: only the fee was charged' });
      crashPoint('backing:failed');
      log.warn('backing.failed', { tx: current, msg: 'the transaction landed but failed: only the fee was charged, no stake moved' });
      return 'failed';
    }
    for (const u of unprovable) {
      if (w.told.has(`unprovable:${u.signature}`)) continue;
      w.told.add(`unprovable:${u.signature}`);
      const msg = `${UNPROVEN}${u.why}. The backing stays in flight and is NOT signed again. Check ${u.signature} in an explorer; point rpc.url at an RPC with full transaction history (or one node, not a load balancer); the agent settles it as soon as an RPC shows its status.`;
      if (row.error !== msg.slice(0, 500)) row = journal.noteBackingError(row, msg.slice(0, 500), this.now());
      log.error('backing.unprovable', { tx: u.signature, msg });
    }
    // Older attempts proven expired are closed; the current one goes through afterExpiry (re-sign or close the row).
    for (const sig of expired) if (sig !== current) journal.noteAttempt(sig, { outcome: 'expired' });
    const stillPending = attempts.filter((a) => !expired.includes(a.signature));
    if (row.state === 'confirmed') return stillPending.length ? 'pending' : 'confirmed';
    if (current && expired.includes(current) && stillPending.length === 0) return 'expired';
    return 'pending';
  }

  /** The current attempt provably expired without landing: nothing moved. Sign again only if still wanted. */
  private async afterExpiry(row: BackingRow, log: Logger, signal?: AbortSignal): Promise<BackingRow> {
    const { journal, backing } = this.o;
    const tx = row.signature;
    if (row.error?.startsWith(PREFLIGHT)) {
      log.warn('backing.failed', { tx, msg: `the node refused the transaction and its blockhash has expired: nothing moved (${row.error.slice(PREFLIGHT.length, 200)})` });
      const failed = journal.transition(row, 'failed', this.now(), { note: `${row.error}; blockhash expired, nothing moved` });
      crashPoint('backing:failed');
      return failed;
    }
    const why = row.signCount >= backing.maxSignings
      ? `signed ${row.signCount} times and never landed (backing.maxSignings ${backing.maxSignings})`
      : await this.refusal(row, false, signal);
    if (why) {
      log.warn('backing.expired', { tx, msg: `the transaction's blockhash expired without it landing, so nothing moved; not signing again: ${why}` });
      const expired = journal.transition(row, 'expired', this.now(), { error: why, note: `expired; ${why}` });
      crashPoint('backing:expired');
      return expired;
    }
    log.info('backing.expired_attempt', { tx, msg: 'the transaction\'s blockhash expired without it landing (nothing moved); the intent is still wanted, signing again' });
    return this.sign(row, signal);
  }

  /**
   * Whether MAGMA's history lists this landed attempt already: more backings of this narrative at this amount than the
   * journal has reported (history items carry no signature, so they are counted).
   */
  private async listedByMagma(row: BackingRow, signature: string, signal?: AbortSignal): Promise<boolean> {
    const history = await this.o.api.history(signal);
    const listed = history.positions.filter((p) => p.narrativeId === row.narrativeId && p.amountLamports === row.stakeLamports).length;
    const reported = this.o.journal.backingsInStates(['confirmed', 'reported'])
      .filter((r) => r.narrativeId === row.narrativeId && r.stakeLamports === row.stakeLamports)
      .flatMap((r) => this.o.journal.attempts(r.id))
      .filter((a) => a.reportedAt && a.signature !== signature).length;
    return listed > reported;
  }

  /**
   * Reports every landed attempt of a confirmed intent until each is acknowledged (tx_signature is the idempotency
   * key), and keeps watching any attempt still pending: the row is reported only once every attempt ever signed has
   * landed (and been reported) or provably expired. False: not yet.
   */
  private async report(row: BackingRow, until: number, log: Logger, signal?: AbortSignal): Promise<boolean> {
    const { api, clock, journal, backing } = this.o;
    let tries = 0;
    for (;;) {
      let waitMs = backing.pollMs;
      let reporting: AttemptRow | null = null;
      try {
        const gate = await this.gates.backing(signal);
        // A closed gate can last hours: the tick goes on, and every later pass tries again. So does MAGMA being down
        // (probed with GET /v1/health only after a failed call): the report is not spent on it.
        const why = gate.open ? await this.gates.down(signal) : gate.reason;
        if (why) {
          this.once(row.id, `report-waiting:${why}`, () => log.warn('backing.report_waiting', { tx: row.signature, msg: `the confirmed backing's report waits: ${why}` }));
          return false;
        }
        const attempts = journal.attempts(row.id);
        const w = this.watchOf(row.id);
        if (clock.now() < w.reportNotBefore) return false;
        // MAGMA may verify at a higher commitment than ours: a report it refused before finalization waits for it.
        if (w.reportAfterSlot !== null) {
          if ((await this.o.chain.getEpochInfo(signal, 'finalized')).slot < w.reportAfterSlot) return false;
          w.reportAfterSlot = null;
        }
        for (const a of attempts.filter((x) => x.outcome === 'landed' && !x.reportedAt)) {
          reporting = a;
          let ack: unknown;
          try {
            ack = await api.reportBacking({ narrativeId: row.narrativeId, walletAddress: row.wallet ?? this.wallet, amountLamports: row.stakeLamports, txSignature: a.signature }, signal);
          } catch (err) {
            // A refusal (400/409/422) of a report: a repeat after a crash may be one MAGMA already holds. Its view
            // settles it; otherwise it may verify at a higher commitment than ours: tried again after finalization.
            if (!isMagmaError(err, 'API_BAD_REQUEST') || !(await this.listedByMagma(row, a.signature, signal))) throw err;
            ack = { ok: true, settled_by: 'history', message: `MAGMA refused the repeat (${errorMessage(err).slice(0, 200)}) and its history lists this backing` };
            log.info('backing.report_settled', { tx: a.signature, msg: 'MAGMA refused a repeated report, and its history already lists this backing: taken as acknowledged' });
          }
          crashPoint('backing:report-answered');
          journal.attemptReported(a.signature, JSON.stringify(ack), this.now());
          if (a.signature !== row.signature) log.warn('backing.reported_extra', { tx: a.signature, msg: 'reported the second transfer of this backing to MAGMA' });
        }
        if (attempts.some((a) => a.outcome === 'pending')) {
          const watched = await this.poll(row, this.watchOf(row.id), log, signal);
          if (watched === 'confirmed') continue; // another attempt landed, or the last pending one expired: report/close
        } else {
          const primary = journal.attempts(row.id).find((a) => a.signature === row.signature);
          journal.transition(row, 'reported', this.now(), { reportJson: primary?.reportJson ?? '{}', note: 'MAGMA acknowledged the report' });
          crashPoint('backing:reported');
          log.info('backing.reported', { tx: row.signature, msg: 'MAGMA acknowledged the backing report' });
          return true;
        }
      } catch (err) {
        if (isMagmaError(err, 'ABORTED') || signal?.aborted) throw err;
        const code = isMagmaError(err) ? err.code : 'UNEXPECTED';
        if (isMagmaError(err, 'API_RATE_LIMITED') || isMagmaError(err, 'PROTOCOL_HALTED')) waitMs = (err.context.retryAfterMs ?? 0) || 5_000;
        if (code === 'PROTOCOL_HALTED') this.gates.invalidate();
        if (code === 'API_BAD_REQUEST' || code === 'API_NOT_FOUND') {
          // Not again before the transaction is finalized (about 13 s) and a minute has passed: the report budget is small.
          const w = this.watchOf(row.id);
          w.reportNotBefore = clock.now() + REPORT_REFUSED_RETRY_MS;
          const landedSlot = reporting?.landedSlot ?? row.slot;
          const finalized = landedSlot === null || code !== 'API_BAD_REQUEST' ? null : await this.o.chain.getEpochInfo(signal, 'finalized').then((f) => f.slot >= landedSlot, () => null);
          if (finalized === false) {
            // Refused before finalization: MAGMA may verify at finalized commitment. Not a refusal yet.
            w.reportAfterSlot = landedSlot;
            this.once(row.id, 'report-deferred', () => log.warn('backing.report_deferred', { tx: reporting?.signature ?? row.signature, code, msg: `MAGMA refused the report of a confirmed backing before the transaction was finalized (${errorMessage(err)}); it may verify at finalized commitment: the report is sent again once the transaction is finalized` }));
            return false;
          }
          // A refusal will not change within this pass: say it loudly once, keep the row confirmed (its stake still
          // counts as exposure), and try again on a later pass instead of holding this one.
          this.once(row.id, `report-refused:${code}`, () => log.error('backing.report_refused', { tx: row.signature, code, msg: `MAGMA refused the report of a confirmed backing (${errorMessage(err)}); the transfer is on chain; it is tried again next tick. If this persists, check the transaction in an explorer and contact MAGMA support.` }));
          return false;
        }
        if (tries++ === 0 && !(this.o.backing.background && this.watchOf(row.id).told.has('report-failed'))) {
          this.watchOf(row.id).told.add('report-failed');
          log.warn('backing.report_failed', { tx: row.signature, code, msg: `the report of a confirmed backing was not acknowledged (${errorMessage(err)}); it is retried until it is` });
        }
      }
      if (clock.now() + waitMs > until) return false;
      try {
        await clock.sleep(waitMs, signal);
      } catch (cause) {
        throw new MagmaError('ABORTED', 'stopped while waiting to report; the report is sent at the next start.', { cause });
      }
    }
  }
}

// The live executor: backs narratives with real transactions, exactly once per intent, and submits verdicts.
// Every step is journaled (committed) before the next one leaves the process:
//   intent → signed → sent → confirmed → reported      (final: reported, expired, failed, cancelled)
// One `drive(row)` moves a row as far as it can; a fresh intent, a row found unfinished at start-up and a row left in
// flight by the previous tick all go through it (crash-only: recovery is normal operation). The same signed bytes are
// resent until they land or their blockhash provably expires; only then may the intent be signed again, and only if
// it is still wanted. A timeout is never taken as a failure: what is not finished stays in flight for the next tick.
import type { Keypair } from '@solana/web3.js';
import { signBackNarrative } from '../chain/sign-back-narrative.js';
import type { ResolutionPolicy } from '../core/decide-resolution.js';
import { errorMessage, isMagmaError, MagmaError } from '../core/errors.js';
import { formatSol } from '../core/money.js';
import type { RiskLimits } from '../core/risk.js';
import type { Logger } from '../log/logger.js';
import type { TransactionChain } from '../ports/chain.js';
import { isoNow, startOfUtcDay, type Clock } from '../ports/clock.js';
import type { ExecutionRequest, ExecutionResult, Executor, ResolutionRequest, ResolutionResult } from '../ports/executor.js';
import { FINAL_BACKING_STATES, type BackingRow, type Journal } from '../ports/journal.js';
import type { MagmaApi } from '../ports/magma-api.js';
import { crashPoint } from '../testing/crash-point.js';
import { reconcileWithApi, type ReconcileSummary } from './reconcile-api.js';
import { ResolutionFlow } from './resolution-flow.js';
import { riskRefusal } from './risk-guard.js';
import { WriteGates } from './write-gates.js';

export interface BackingSettings {
  programId: string;
  computeUnitLimit: number;
  priorityFeeMicroLamports: number;
  pollMs: number;
  resendMs: number;
  confirmTimeoutSeconds: number;
  maxSignings: number;
  maxPerMinute: number;
}

export interface LiveExecutorOptions {
  journal: Journal;
  chain: TransactionChain;
  api: MagmaApi;
  clock: Clock;
  logger: Logger;
  keypair: Keypair;
  limits: RiskLimits;
  resolution: ResolutionPolicy;
  backing: BackingSettings;
  /** Whether the wallet holds a position in a narrative (no verdicts on those unless allowed). */
  holds?: (narrativeId: string) => boolean;
}

/** The app's deadline: now + 7 days (PROTOCOL.md section 3). */
const DEADLINE_SECONDS = 7n * 86_400n;
/** Lamports kept aside for the fee when checking the balance (5000 per signature plus the priority fee). */
const FEE_ALLOWANCE = 100_000n;
const PREFLIGHT = 'preflight refused: ';
/** Consecutive failed polls after which a wait for confirmation is left to the next tick. */
const MAX_RPC_FAILURES_PER_WAIT = 10;
/** How old a decision may be before its intent is no longer signed (after a long outage or downtime). */
const STALE_INTENT_MS = 60 * 60_000;

type Confirmation = 'confirmed' | 'failed' | 'expired' | 'pending';

export class LiveExecutor implements Executor {
  readonly dryRun = false;
  readonly wallet: string;
  private readonly gates: WriteGates;
  private readonly resolutions: ResolutionFlow;
  private reconciled = false;

  constructor(private readonly o: LiveExecutorOptions) {
    this.wallet = o.keypair.publicKey.toBase58();
    this.gates = new WriteGates(o.api, this.wallet, o.clock);
    this.resolutions = new ResolutionFlow({ journal: o.journal, api: o.api, clock: o.clock, logger: o.logger, gates: this.gates, policy: o.resolution, dryRun: false, ...(o.holds ? { holds: o.holds } : {}) });
  }

  private now(): string {
    return isoNow(this.o.clock);
  }

  private deadline(): number {
    return this.o.clock.now() + this.o.backing.confirmTimeoutSeconds * 1000;
  }

  async execute(req: ExecutionRequest, signal?: AbortSignal): Promise<ExecutionResult> {
    const { journal, clock, logger } = this.o;
    const stake = req.decision.stakeLamports;
    const nowMs = clock.now();
    const row = journal.openBacking(
      { intentKey: `live:${req.decisionId}:${req.narrative.id}`, decisionId: req.decisionId, narrativeId: req.narrative.id, category: req.narrative.category, stakeLamports: stake, dryRun: false, wallet: this.wallet },
      { now: this.now(), dayStart: startOfUtcDay(nowMs), since: new Date(nowMs - 60_000).toISOString() },
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
    const done = await this.drive(row, { fresh: true, until: this.deadline() }, signal);
    return { backingId: done.id, state: done.state };
  }

  /**
   * Start-up reconciliation and the start of every tick: every unfinished row is driven on from the chain's and the
   * API's view; the first time in a process, the API's portfolio and history are compared with the journal.
   */
  async resumePending(signal?: AbortSignal): Promise<void> {
    const rows = this.o.journal.unfinishedBackings(false);
    const until = this.deadline();
    if (rows.length) this.o.logger.info('backing.resuming', { count: rows.length, msg: `resuming ${rows.length} backing(s) left unfinished` });
    for (const row of rows) await this.drive(row, { fresh: false, until }, signal);
    await this.resolutions.resumePending(signal);
    if (!this.reconciled) {
      await this.reconcile(signal);
      this.reconciled = true;
    }
  }

  /** Compares the API's portfolio and history with the journal and logs every difference loudly. */
  async reconcile(signal?: AbortSignal): Promise<ReconcileSummary | null> {
    try {
      return await reconcileWithApi({ api: this.o.api, journal: this.o.journal, logger: this.o.logger }, signal);
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
        if (FINAL_BACKING_STATES.has(row.state)) return row;
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
      log.warn('backing.interrupted', { state: row.state, tx: row.signature, msg: `the backing stays ${row.state}: ${errorMessage(err)}; it resumes on the next tick` });
      return this.o.journal.backing(row.id);
    }
  }

  private pending(row: BackingRow, log: Logger): BackingRow {
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
    const needed = row.stakeLamports + this.o.limits.minBalance + FEE_ALLOWANCE;
    if (balance < needed) return `the wallet holds ${formatSol(balance)}, less than the stake plus risk.minBalanceSol and fees (${formatSol(needed)})`;
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
      attempt: { signature: signed.signature, blockhash: latest.blockhash, lastValidBlockHeight: latest.lastValidBlockHeight, signedTx: signed.wire },
      error: null,
      note: again ? `signed again after attempt ${row.signCount} provably expired` : 'signed',
    });
    crashPoint('backing:signed');
    this.o.logger.info(again ? 'backing.resigned' : 'backing.signed', {
      narrative_id: row.narrativeId, amount_lamports: row.stakeLamports, tx: signed.signature, last_valid_block_height: latest.lastValidBlockHeight,
      msg: again ? `signed again with a fresh blockhash (attempt ${next.signCount} of ${this.o.backing.maxSignings})` : `signed the backing transaction; it is valid until block ${latest.lastValidBlockHeight}`,
    });
    return next;
  }

  /**
   * Sends the journaled bytes (again every resendMs) and polls until they land, fail, or provably expire. The proof of
   * expiry reads the finalized block height first and the signature's status second: a transaction can only land at
   * a height up to lastValidBlockHeight, so once a finalized height is past it, a missing status is final.
   */
  private async confirm(start: BackingRow, until: number, log: Logger, signal?: AbortSignal): Promise<Confirmation> {
    const { chain, clock, journal, backing } = this.o;
    let row = start;
    let sig = row.signature!;
    let lastSend = -Infinity;
    let seen = false;
    let rpcFailures = 0;
    let nullsPastExpiry = 0;
    // Earlier attempts of this intent are watched too: one that lands late is adopted, never signed over.
    const earlier = journal.attemptSignatures(row.id).filter((s) => s !== sig);
    for (;;) {
      try {
        if (!seen && row.signedTx && clock.now() - lastSend >= backing.resendMs) {
          lastSend = clock.now();
          const sent = await chain.sendTransaction(row.signedTx!, signal);
          crashPoint('backing:send-answered');
          if (sent.ok || sent.kind === 'already-processed') {
            if (row.state === 'signed') {
              row = journal.transition(row, 'sent', this.now(), { note: sent.ok ? 'the node accepted it' : 'the node had already processed these bytes' });
              crashPoint('backing:sent');
              log.info('backing.sent', { tx: sig, msg: 'sent the transaction; waiting for confirmation' });
            }
          } else if (sent.kind === 'rejected' && !row.error?.startsWith(PREFLIGHT)) {
            row = journal.noteBackingError(row, PREFLIGHT + sent.message.slice(0, 300), this.now());
            log.warn('backing.rejected', { tx: sig, msg: `the node refused the transaction (${sent.message.slice(0, 200)}); waiting for its blockhash to expire before calling it failed` });
          }
        }
        const height = await chain.getBlockHeight(signal, 'finalized');
        const canary = journal.landedCanary();
        const asked = [sig, ...earlier, ...(canary && canary !== sig && !earlier.includes(canary) ? [canary] : [])];
        const statuses = await chain.getSignatureStatuses(asked, signal);
        let status = statuses[0] ?? null;
        if (rpcFailures > 0) log.info('rpc.recovered', { tx: sig, msg: 'the Solana RPC answers again' });
        rpcFailures = 0;
        const landedEarlier = earlier.filter((_, i) => statuses[i + 1] !== null && statuses[i + 1] !== undefined);
        if (landedEarlier.length) {
          const adopted = landedEarlier[0]!;
          if (landedEarlier.length > 1 || status) {
            log.error('backing.several_landed', { narrative_id: row.narrativeId, tx: adopted, msg: 'more than one attempt of this backing has a status on chain: check the wallet\'s transfers; only one is reported' });
          }
          if (!status) {
            row = journal.adoptAttempt(row, adopted, this.now());
            log.warn('backing.adopted', { tx: adopted, msg: 'an earlier attempt of this backing landed after all: it is the one tracked and reported; nothing is signed again' });
            sig = adopted;
            status = statuses[1 + earlier.indexOf(adopted)] ?? null;
          }
        }
        if (status) {
          seen = true;
          nullsPastExpiry = 0;
          // An error below `confirmed` may be a minority fork: the same bytes can still land cleanly. Keep polling.
          if (status.err && (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized')) {
            journal.transition(row, 'failed', this.now(), { slot: status.slot, error: `landed but failed: ${JSON.stringify(status.err).slice(0, 300)}`, note: 'landed with an error: only the fee was charged' });
            crashPoint('backing:failed');
            log.warn('backing.failed', { tx: sig, msg: 'the transaction landed but failed: only the fee was charged, no stake moved' });
            return 'failed';
          }
          if (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized') {
            journal.transition(row, 'confirmed', this.now(), { slot: status.slot, error: null, note: `confirmed in slot ${status.slot}` });
            crashPoint('backing:confirmed');
            log.info('backing.confirmed', { tx: sig, slot: status.slot, msg: 'the backing is confirmed on chain' });
            return 'confirmed';
          }
        } else if (height > row.lastValidBlockHeight!) {
          // Absence is proof only if this RPC can still see old transactions (a landed canary is visible) and the
          // answer holds on a second look; an RPC without transaction history answers null for everything old.
          const canaryIndex = asked.indexOf(canary ?? '');
          if (canaryIndex > 0 && statuses[canaryIndex] === null) {
            log.error('rpc.no_history', { tx: sig, msg: 'this Solana RPC no longer knows transactions that did land, so it cannot prove this one never did; the backing stays in flight and is NOT signed again. Use an RPC with full transaction history.' });
            return 'pending';
          }
          if (++nullsPastExpiry >= 2) return 'expired';
        }
      } catch (err) {
        if (isMagmaError(err, 'ABORTED') || signal?.aborted) throw err;
        if (isMagmaError(err) && err.consequence === 'stop') throw err;
        if (rpcFailures++ === 0) {
          log.warn('rpc.unavailable', { tx: sig, state: row.state, msg: `the Solana RPC did not answer (${errorMessage(err)}); the transaction stays ${row.state} and is checked again` });
        }
        // A long outage should not hold the whole tick: the row stays in flight and the next tick looks again.
        if (rpcFailures >= MAX_RPC_FAILURES_PER_WAIT) return 'pending';
      }
      if (clock.now() >= until) return 'pending';
      try {
        await clock.sleep(backing.pollMs, signal);
      } catch (cause) {
        throw new MagmaError('ABORTED', 'stopped while waiting for a confirmation; the backing resumes at the next start.', { cause });
      }
    }
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

  /** Reports a confirmed backing until acknowledged (tx_signature is the idempotency key). False: not yet. */
  private async report(row: BackingRow, until: number, log: Logger, signal?: AbortSignal): Promise<boolean> {
    const { api, clock, journal, backing } = this.o;
    let tries = 0;
    for (;;) {
      let waitMs = backing.pollMs;
      try {
        const gate = await this.gates.backing(signal);
        if (!gate.open) {
          // A closed gate can last hours: the tick goes on, and every later tick tries again.
          log.warn('backing.report_waiting', { tx: row.signature, msg: `the confirmed backing's report waits: ${gate.reason}` });
          return false;
        } else {
          const ack = await api.reportBacking({ narrativeId: row.narrativeId, walletAddress: row.wallet ?? this.wallet, amountLamports: row.stakeLamports, txSignature: row.signature! }, signal);
          crashPoint('backing:report-answered');
          journal.transition(row, 'reported', this.now(), { reportJson: JSON.stringify(ack), note: 'MAGMA acknowledged the report' });
          crashPoint('backing:reported');
          log.info('backing.reported', { tx: row.signature, msg: 'MAGMA acknowledged the backing report' });
          return true;
        }
      } catch (err) {
        if (isMagmaError(err, 'ABORTED') || signal?.aborted) throw err;
        const code = isMagmaError(err) ? err.code : 'UNEXPECTED';
        if (code === 'API_RATE_LIMITED' || code === 'PROTOCOL_HALTED') waitMs = Number((err as MagmaError).details.retryAfterMs ?? 0) || 5_000;
        if (code === 'PROTOCOL_HALTED') this.gates.invalidate();
        if (code === 'API_BAD_REQUEST' || code === 'API_NOT_FOUND') {
          // A refusal will not change within this tick: say it loudly once, keep the row confirmed (its stake still
          // counts as exposure), and let the next tick try again instead of holding this one.
          log.error('backing.report_refused', { tx: row.signature, code, msg: `MAGMA refused the report of a confirmed backing (${errorMessage(err)}); the transfer is on chain; it is tried again next tick. If this persists, check the transaction in an explorer and contact MAGMA support.` });
          return false;
        }
        if (tries++ === 0) {
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

// The journal on the agent's SQLite database (the same file and connection as the store): every state change is one
// transaction committed with synchronous=FULL before the caller acts on it, so a SIGKILL at any moment leaves the
// row in the last state that was really reached. Transitions are compare-and-set on the current state.
import type Database from 'better-sqlite3';
import { MagmaError } from '../core/errors.js';
import {
  BACKING_TRANSITIONS, FINAL_BACKING_STATES, FINAL_RESOLUTION_STATES, RESOLUTION_TRANSITIONS,
  type AttemptOutcome, type AttemptRow, type BackingRow, type BackingState, type Journal, type JournalView, type NewBacking, type NewResolution, type ResolutionRow,
  type ResolutionState, type TransitionFields,
} from '../ports/journal.js';
import type { Ledger } from '../ports/store.js';
import type { SqliteStore } from './sqlite-store.js';

type Raw = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toBacking(r: Raw): BackingRow {
  return {
    id: Number(r.id), intentKey: String(r.intent_key), decisionId: num(r.decision_id), narrativeId: String(r.narrative_id),
    category: String(r.category), stakeLamports: BigInt(r.stake_lamports as bigint), state: r.state as BackingState,
    ledger: Number(r.dry_run) === 1 ? 'dry-run' : 'live', wallet: (r.wallet as string | null) ?? null, signature: (r.signature as string | null) ?? null,
    blockhash: (r.blockhash as string | null) ?? null, lastValidBlockHeight: num(r.last_valid_block_height),
    signedTx: r.signed_tx ? Buffer.from(r.signed_tx as Uint8Array) : null, signCount: Number(r.sign_count ?? 0), slot: num(r.slot),
    error: (r.error as string | null) ?? null, createdAt: String(r.created_at), updatedAt: String(r.updated_at),
    confirmedAt: (r.confirmed_at as string | null) ?? null, reportedAt: (r.reported_at as string | null) ?? null,
    outcome: (r.outcome as string | null) ?? null, pnlLamports: r.pnl_lamports === null || r.pnl_lamports === undefined ? null : BigInt(r.pnl_lamports as bigint),
  };
}

function toResolution(r: Raw): ResolutionRow {
  return {
    id: Number(r.id), narrativeId: String(r.narrative_id), resolution: r.resolution === 'true', confidence: Number(r.confidence),
    evidence: String(r.evidence), state: r.state as ResolutionState, ledger: Number(r.dry_run) === 1 ? 'dry-run' : 'live', attempts: Number(r.attempts ?? 0),
    error: (r.error as string | null) ?? null, responseJson: (r.response_json as string | null) ?? null, createdAt: String(r.created_at),
  };
}

function illegal(what: string, from: string, to: string, id: number): MagmaError {
  return new MagmaError('JOURNAL_CONFLICT', `the journal refused to move ${what} ${id} from ${from} to ${to}.`, {
    context: { id: String(id), from, to },
    hint: 'Another magma-agent may be using this data directory: stop it. Otherwise this is a bug; report it with the log lines above.',
  });
}

export class SqliteJournal implements Journal {
  /** The dry_run column's value for this journal's ledger. */
  private readonly dry: 0 | 1;

  /** The journal of the store's ledger (or of another one kept in the same file: tests of ledgers side by side). */
  constructor(private readonly store: SqliteStore, readonly ledger: Ledger = store.ledger) {
    this.dry = ledger === 'dry-run' ? 1 : 0;
  }

  private get db() {
    return this.store.db;
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Statements prepared once (preparing costs more than running one of these small queries). */
  private st(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  private txn: Database.Transaction<(fn: () => unknown) => unknown> | null = null;

  /** One IMMEDIATE transaction, one commit: with synchronous=FULL, one fsync per journal change. */
  private write<T>(fn: () => T): T {
    this.txn ??= this.db.transaction((f: () => unknown) => f());
    const txn = this.txn;
    return this.store.runWrite(() => txn.immediate(fn) as T);
  }

  openBacking(b: NewBacking, at: { now: string; dayStart: string; since: string }, guard: (view: JournalView) => string | null): BackingRow {
    const book = this.store.ledgerBook(this.ledger);
    const row = this.write(() => {
      const existing = this.st('SELECT * FROM backings WHERE intent_key = ?').safeIntegers(true).get(b.intentKey) as Raw | undefined;
      if (existing) return { row: toBacking(existing), created: false };
      // The guard reads the ledger's book (kept in memory in step with the journal), not a scan of every backing.
      const spent = book.spent.sum(at.dayStart);
      const recent = book.intents.sum(at.since);
      const view: JournalView = {
        openPositions: book.openPositions, exposure: book.exposure, exposureByCategory: book.exposureByCategory, heldNarratives: book.heldNarratives,
        spentToday: spent ?? this.store.ledgerSpentSince(this.ledger, at.dayStart), recentIntents: recent === null ? this.intentsSince(at.since) : Number(recent),
        inFlightNarratives: book.inFlight(b.wallet), verdictNarratives: book.verdictNarratives,
      };
      const refusal = guard(view);
      const state: BackingState = refusal ? 'cancelled' : 'intent';
      const id = Number(this.st(`INSERT INTO backings (intent_key, decision_id, narrative_id, category, stake_lamports, state, dry_run, wallet, error, created_at, updated_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(b.intentKey, b.decisionId, b.narrativeId, b.category, b.stakeLamports, state, this.dry, b.wallet, refusal, at.now, at.now).lastInsertRowid);
      this.event(id, at.now, null, 'intent', null);
      if (refusal) this.event(id, at.now, 'intent', 'cancelled', refusal);
      const created: BackingRow = {
        id, intentKey: b.intentKey, decisionId: b.decisionId, narrativeId: b.narrativeId, category: b.category, stakeLamports: b.stakeLamports, state,
        ledger: this.ledger, wallet: b.wallet, signature: null, blockhash: null, lastValidBlockHeight: null, signedTx: null, signCount: 0, slot: null,
        error: refusal, createdAt: at.now, updatedAt: at.now, confirmedAt: null, reportedAt: null, outcome: null, pnlLamports: null,
      };
      return { row: created, created: true };
    });
    if (row.created) {
      const r = row.row;
      this.store.afterCommit(() => book.add({ id: r.id, narrativeId: r.narrativeId, category: r.category, stake: r.stakeLamports, state: r.state, wallet: r.wallet, createdAt: r.createdAt, settled: false, landed: 0 }));
    }
    return row.row;
  }

  /** Backings of a ledger since `start`, second transfers counted (when the book no longer reaches that far back). */
  private intentsSince(since: string): number {
    return Number(this.st(`SELECT COUNT(*) FROM backings WHERE dry_run = ? AND created_at >= ? AND state <> 'cancelled'`).pluck().get(this.dry, since));
  }

  /** How many attempts of an intent landed (the book counts a second transfer as money at stake). */
  private landedCount(backingId: number): number {
    return Number(this.st(`SELECT COUNT(*) FROM backing_attempts WHERE backing_id = ? AND outcome = 'landed'`).pluck().get(backingId));
  }

  private event(id: number, at: string, from: string | null, to: string, note: string | null): void {
    this.st('INSERT INTO backing_events (backing_id, at, from_state, to_state, note) VALUES (?, ?, ?, ?, ?)').run(id, at, from, to, note);
  }

  backing(id: number): BackingRow {
    const r = this.st('SELECT * FROM backings WHERE id = ?').safeIntegers(true).get(id) as Raw | undefined;
    if (!r) throw new MagmaError('JOURNAL_CONFLICT', `backing ${id} is not in the journal.`);
    return toBacking(r);
  }

  unfinishedBackings(): BackingRow[] {
    const finals = [...FINAL_BACKING_STATES];
    return (this
      .st(`SELECT * FROM backings WHERE dry_run = ? AND state NOT IN (${finals.map(() => '?').join(',')}) ORDER BY id`)
      .safeIntegers(true).all(this.dry, ...finals) as Raw[]).map(toBacking);
  }

  backingsInStates(states: readonly BackingState[]): BackingRow[] {
    if (!states.length) return [];
    return (this
      .st(`SELECT * FROM backings WHERE dry_run = ? AND state IN (${states.map(() => '?').join(',')}) ORDER BY id`)
      .safeIntegers(true).all(this.dry, ...states) as Raw[]).map(toBacking);
  }

  transition(row: BackingRow, to: BackingState, at: string, f: TransitionFields = {}): BackingRow {
    if (!BACKING_TRANSITIONS[row.state].includes(to)) throw illegal('backing', row.state, to, row.id);
    const done = this.write(() => {
      const sets: string[] = ['state = ?', 'updated_at = ?'];
      const values: unknown[] = [to, at];
      if (f.attempt) {
        if (row.signature) this.st(`UPDATE backing_attempts SET outcome = 'expired' WHERE signature = ?`).run(row.signature);
        sets.push('signature = ?', 'blockhash = ?', 'last_valid_block_height = ?', 'signed_tx = ?', 'sign_count = sign_count + 1');
        values.push(f.attempt.signature, f.attempt.blockhash, f.attempt.lastValidBlockHeight, Buffer.from(f.attempt.signedTx));
        this.st('INSERT INTO backing_attempts (backing_id, signature, blockhash, last_valid_block_height, signed_at, signed_slot) VALUES (?, ?, ?, ?, ?, ?)')
          .run(row.id, f.attempt.signature, f.attempt.blockhash, f.attempt.lastValidBlockHeight, at, f.attempt.signedSlot);
      }
      if (f.slot !== undefined) sets.push('slot = ?'), values.push(f.slot);
      if (f.reportJson !== undefined) sets.push('report_json = ?'), values.push(f.reportJson);
      if (f.error !== undefined) sets.push('error = ?'), values.push(f.error);
      if (to === 'confirmed') sets.push('confirmed_at = ?'), values.push(at);
      if (to === 'reported') sets.push('reported_at = ?'), values.push(at);
      const changed = this.st(`UPDATE backings SET ${sets.join(', ')} WHERE id = ? AND state = ? AND sign_count = ? AND signature IS ?`)
        .run(...values, row.id, row.state, row.signCount, row.signature).changes;
      if (changed !== 1) throw illegal('backing', row.state, to, row.id);
      if (f.reportJson !== undefined && row.signature) {
        this.st('UPDATE backing_attempts SET reported_at = COALESCE(reported_at, ?), report_json = COALESCE(report_json, ?) WHERE signature = ?').run(at, f.reportJson, row.signature);
      }
      if (f.slot !== undefined && row.signature) this.st('UPDATE backing_attempts SET landed_slot = ? WHERE signature = ?').run(f.slot, row.signature);
      if (row.signature && !f.attempt && (to === 'confirmed' || to === 'failed' || to === 'expired')) {
        this.st('UPDATE backing_attempts SET outcome = ? WHERE signature = ?').run(to === 'confirmed' ? 'landed' : to, row.signature);
      }
      this.event(row.id, at, row.state, to, f.note ?? null);
      const landed = to === 'confirmed' ? this.landedCount(row.id) : undefined;
      return { next: this.backing(row.id), landed };
    });
    this.store.afterCommit(() => this.store.peekLedgerBook(row.ledger)?.update(row.id, to, done.landed));
    return done.next;
  }

  attemptSignatures(backingId: number): string[] {
    return this.st('SELECT signature FROM backing_attempts WHERE backing_id = ? ORDER BY id').pluck().all(backingId) as string[];
  }

  attempts(backingId: number): AttemptRow[] {
    return (this.st('SELECT * FROM backing_attempts WHERE backing_id = ? ORDER BY id').all(backingId) as Raw[]).map((r) => ({
      backingId: Number(r.backing_id), signature: String(r.signature), lastValidBlockHeight: Number(r.last_valid_block_height),
      signedSlot: num(r.signed_slot), signedAt: String(r.signed_at), outcome: r.outcome as AttemptOutcome,
      evidence: (r.evidence as string | null) ?? null, landedSlot: num(r.landed_slot), reportedAt: (r.reported_at as string | null) ?? null,
      reportJson: (r.report_json as string | null) ?? null,
    }));
  }

  landedCanary(slot: number): string | null {
    return (this.st(`SELECT signature FROM backing_attempts WHERE outcome = 'landed' AND landed_slot IS NOT NULL AND landed_slot <= ?
                             ORDER BY landed_slot DESC LIMIT 1`).pluck().get(slot) as string | undefined) ?? null;
  }

  noteAttempt(signature: string, f: { evidence?: string; landedSlot?: number; outcome?: AttemptOutcome }): void {
    const changed = this.write(() => {
      // Evidence is never downgraded: 'status' outranks 'already-processed', and neither is ever cleared.
      if (f.evidence !== undefined) this.st(`UPDATE backing_attempts SET evidence = ? WHERE signature = ? AND (evidence IS NULL OR ? = 'status')`).run(f.evidence, signature, f.evidence);
      if (f.landedSlot !== undefined) this.st('UPDATE backing_attempts SET landed_slot = ? WHERE signature = ?').run(f.landedSlot, signature);
      if (f.outcome === undefined) return null;
      this.st('UPDATE backing_attempts SET outcome = ? WHERE signature = ?').run(f.outcome, signature);
      const b = this.st('SELECT b.id, b.dry_run, b.state FROM backing_attempts a JOIN backings b ON b.id = a.backing_id WHERE a.signature = ?')
        .get(signature) as { id: number; dry_run: number; state: BackingState } | undefined;
      return b ? { ...b, landed: this.landedCount(b.id) } : null;
    });
    // A second transfer that landed is money at stake too: the book counts it from now on.
    if (changed) this.store.afterCommit(() => this.store.peekLedgerBook(changed.dry_run === 1 ? 'dry-run' : 'live')?.update(changed.id, changed.state, changed.landed));
  }

  attemptReported(signature: string, reportJson: string, at: string): void {
    this.write(() => this.st('UPDATE backing_attempts SET reported_at = ?, report_json = ? WHERE signature = ?').run(at, reportJson, signature));
  }

  adoptAttempt(row: BackingRow, signature: string, at: string): BackingRow {
    return this.write(() => {
      const a = this.st('SELECT blockhash, last_valid_block_height FROM backing_attempts WHERE backing_id = ? AND signature = ?')
        .get(row.id, signature) as { blockhash: string; last_valid_block_height: number } | undefined;
      if (!a) throw illegal('backing', row.state, row.state, row.id);
      // signed_tx is cleared: the newer attempt's bytes must never be sent again once an older one has landed
      const changed = this.st(`UPDATE backings SET signature = ?, blockhash = ?, last_valid_block_height = ?, signed_tx = NULL, updated_at = ?
                                       WHERE id = ? AND state = ? AND signature IS ?`)
        .run(signature, a.blockhash, a.last_valid_block_height, at, row.id, row.state, row.signature).changes;
      if (changed !== 1) throw illegal('backing', row.state, row.state, row.id);
      this.st(`UPDATE backing_attempts SET outcome = 'pending' WHERE signature = ?`).run(signature);
      // The other attempts stay pending: each is watched until it provably expires, and one that lands is reported.
      this.event(row.id, at, row.state, row.state, `an earlier attempt (${signature}) landed after all: adopted, no bytes resent`);
      return this.backing(row.id);
    });
  }

  noteBackingError(row: BackingRow, error: string, at: string): BackingRow {
    return this.write(() => {
      this.st('UPDATE backings SET error = ?, updated_at = ? WHERE id = ?').run(error, at, row.id);
      return this.backing(row.id);
    });
  }

  openResolution(r: NewResolution, at: string): { row: ResolutionRow; created: boolean } {
    const out = this.write(() => {
      const inserted = this
        .st(`INSERT INTO resolutions (narrative_id, resolution, confidence, evidence, state, dry_run, created_at, updated_at)
                  VALUES (?, ?, ?, ?, 'intent', ?, ?, ?) ON CONFLICT (narrative_id, dry_run) DO NOTHING`)
        .run(r.narrativeId, r.resolution ? 'true' : 'false', r.confidence, r.evidence, this.dry, at, at);
      const row = toResolution(this.st('SELECT * FROM resolutions WHERE narrative_id = ? AND dry_run = ?').get(r.narrativeId, this.dry) as Raw);
      return { row, created: inserted.changes === 1 };
    });
    if (out.created) this.store.afterCommit(() => this.store.peekLedgerBook(this.ledger)?.verdictNarratives.add(r.narrativeId));
    return out;
  }

  unfinishedResolutions(): ResolutionRow[] {
    const finals = [...FINAL_RESOLUTION_STATES];
    return (this
      .st(`SELECT * FROM resolutions WHERE dry_run = ? AND state NOT IN (${finals.map(() => '?').join(',')}) ORDER BY id`)
      .all(this.dry, ...finals) as Raw[]).map(toResolution);
  }

  transitionResolution(row: ResolutionRow, to: ResolutionState, at: string, f: { responseJson?: string; error?: string | null; attempt?: boolean } = {}): ResolutionRow {
    if (!RESOLUTION_TRANSITIONS[row.state].includes(to)) throw illegal('resolution', row.state, to, row.id);
    return this.write(() => {
      const changed = this
        .st(`UPDATE resolutions SET state = ?, updated_at = ?, response_json = COALESCE(?, response_json), error = ?,
                  attempts = attempts + ? WHERE id = ? AND state = ?`)
        .run(to, at, f.responseJson ?? null, f.error ?? null, f.attempt ? 1 : 0, row.id, row.state).changes;
      if (changed !== 1) throw illegal('resolution', row.state, to, row.id);
      return toResolution(this.st('SELECT * FROM resolutions WHERE id = ?').get(row.id) as Raw);
    });
  }
}

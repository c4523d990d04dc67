// SQLite implementation of the store port: WAL, synchronous=FULL (money is recorded here), a busy timeout,
// and numbered migrations (src/store/migrations/NNNN_name.sql) applied under PRAGMA user_version.
// The hot path is lean: statements are prepared once, a narrative's history comes from memory (HistoryWindows),
// and records that say nothing new extend the previous row instead of adding one (RunTracker). A store is bound to
// one ledger (live or dry-run) when it is opened; its dry-run column is written from that binding.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Decision, PortfolioView } from '../core/decide.js';
import type { ResolutionDecision } from '../core/decide-resolution.js';
import { MagmaError } from '../core/errors.js';
import { rationaleOf } from '../core/strategy.js';
import { accessProblem } from '../fs/read-file-or-explain.js';
import type { Narrative, NarrativeSnapshot } from '../core/narrative.js';
import type { MagusAnswerStore, MagusCallRecord, MagusUsageStore, StoredMagusAnswer } from '../ports/magus.js';
import type { EnsembleMemory, ForecastSample, SettledSample } from '../ports/ensemble-memory.js';
import type { EnsembleWeightsView } from '../core/learned-ensemble.js';
import type { ApiCallRecord, FeedObservation, Ledger, OpinionRecord, Outcome, OutcomeRecord, SettledBacking, Store, TickOutcome } from '../ports/store.js';
import type { Calibration } from '../core/calibration.js';
import type { PnlSummary, RunReadModel, RunSummary } from '../ports/read-model.js';
import { calibrationByStrategy, pnlSummary } from '../report/calibration-report.js';
import { runSummary } from '../report/run-summary.js';
import { AwaitingOutcomes } from './awaiting-outcomes.js';
import { HistoryWindows, sameObservation } from './history-windows.js';
import { LedgerBook } from './ledger-book.js';
import { patchRaw, rawToStore } from './raw-delta.js';

const tracked = (r: { oracle_status: string; total_backed_lamports: bigint; backer_count: bigint; challenge_count: bigint }) => ({
  oracleStatus: r.oracle_status, totalBackedLamports: r.total_backed_lamports, backerCount: Number(r.backer_count), challengeCount: Number(r.challenge_count),
});
import { decisionRunKey, opinionRunKey, RunTracker } from './run-tracker.js';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Backing states that no longer hold money at risk in the journal's view. */
const CLOSED_STATES = ['failed', 'expired', 'cancelled'];

export function narrativeHash(n: Narrative): string {
  const canonical = JSON.stringify([n.title, n.thesis, n.category, n.oracleStatus, n.totalBackedLamports.toString(), n.backerCount, n.challengeCount]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** Turns SQLite's failures into errors that say what to do (disk full, read-only, locked, corrupt). */
function storeError(err: unknown, path: string): MagmaError {
  const code = (err as { code?: string }).code ?? '';
  // issue 12: not SQLite's failure but a value it was handed (too deep to serialise, too large for int64): say so.
  // Not an operator's problem either, so the daemon does not stop on it (under systemd a stop at every start was a
  // crash loop): the tick fails, is logged, and the next one runs.
  if (!code.startsWith('SQLITE') && (err instanceof RangeError || err instanceof TypeError)) {
    return new MagmaError('STORE_VALUE_REFUSED', `a value could not be recorded (${(err as Error)?.name ?? 'error'}: ${String((err as Error)?.message).slice(0, 300)}); the database and the disk are fine.`, {
      cause: err, context: { path },
      hint: 'An input slipped past validation: this tick was dropped and the agent goes on; please report it with the log lines above.',
    });
  }
  if ((code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) && path !== ':memory:') {
    // a data directory or database left to another user (a command once run as root): say whose, not "cannot open"
    const denied = accessProblem([dirname(path), path, `${path}-wal`, `${path}-shm`]);
    if (denied) {
      return new MagmaError('STORE_FAILED', `cannot open the database: ${denied}.`, {
        cause: err, context: { path, kind: 'permission' },
        hint: `Run the agent as the user that owns the data directory (e.g. \`sudo -u magma magma-agent …\`), or give that user the files back (\`chown -R magma:magma ${dirname(path)}\`); the database itself is fine, do not delete it.`,
      });
    }
  }
  const hints: Record<string, string> = {
    SQLITE_FULL: `The disk holding ${path} is full: free space there, then restart; nothing recorded so far was lost.`,
    SQLITE_READONLY: `The database ${path} is read-only: give the agent's user write access to it and its folder.`,
    SQLITE_CANTOPEN: `Cannot open ${path}: check that the data directory exists and is writable.`,
    SQLITE_BUSY: `Another process holds ${path}: stop the other magma-agent using this data directory.`,
    SQLITE_CORRUPT: `The database ${path} is damaged: restore it from a backup (magma-agent backup).`,
    SQLITE_NOTADB: `${path} is not a SQLite database: point --data-dir at the agent's own data directory.`,
    SQLITE_IOERR: `Reading or writing ${path} failed at the disk: check the disk and free space.`,
    SQLITE_CONSTRAINT: 'A record broke a database constraint: this is a bug in magma-agent; please report it with the log lines above.',
  };
  const hint = Object.entries(hints).find(([prefix]) => code.startsWith(prefix))?.[1]
    ?? `Check that ${path} is on a healthy, writable disk.`;
  return new MagmaError('STORE_FAILED', `database error (${code || 'unknown'}): ${(err as Error).message}.`, { cause: err, hint, context: { path } });
}

/** How often (clock time) the store flushes run counts and last-seen times, and looks for rows to prune. */
const HOUSEKEEPING_MS = 15 * 60_000;
/** Rows deleted per table per housekeeping step (small, so pruning never holds a tick). */
const PRUNE_BATCH = 2_000;
/** A feed poll stores its whole list of narratives at least this often, even when it did not change. */
const FULL_POLL_EVERY_MS = 60 * 60_000;


export interface SqliteStoreOptions {
  /** The ledger this store records decisions and backings in (default: live). */
  ledger?: Ledger;
  /** How far back strategies may read a narrative's history (store.historyHours), in ms. */
  historyWindowMs?: number;
  /** Prune observation rows older than this many days (store.retainDays); null keeps everything. */
  retainDays?: number | null;
}

interface Known {
  nid: number;
  /** The last observation stored (null: compare with the stored hash first). */
  last: Narrative | null;
  /** The last raw item stored or rebuilt (the base of the next snapshot's delta); absent after a restart. */
  raw?: Readonly<Record<string, unknown>>;
  /** When its narratives row last had last_seen_at written (ms). */
  seenWrittenMs: number;
  lastSeenMs: number;
}

/** Settled forecast samples kept (the learning ensemble fits on the newest few thousand). */
const KEEP_SETTLED_SAMPLES = 10_000;

export class SqliteStore implements Store, RunReadModel, MagusUsageStore, MagusAnswerStore, EnsembleMemory {
  readonly db: Database.Database;
  readonly ledger: Ledger;
  private readonly dry: 0 | 1;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly windows: HistoryWindows;
  private readonly known = new Map<string, Known>();
  private readonly opinionRuns = new RunTracker();
  private readonly decisionRuns = new RunTracker();
  /** Narratives decided on without an outcome yet; loaded once, kept in step. */
  private awaiting: AwaitingOutcomes | null = null;
  private lastPollIds: string | null = null;
  private lastFullPollMs = -Infinity;
  private lastHousekeepingMs = -Infinity;
  private readonly retainMs: number | null;

  private constructor(readonly path: string, o: SqliteStoreOptions) {
    this.ledger = o.ledger ?? 'live';
    this.dry = this.ledger === 'dry-run' ? 1 : 0;
    this.windows = new HistoryWindows(o.historyWindowMs ?? 48 * 3_600_000);
    this.retainMs = o.retainDays === null || o.retainDays === undefined ? null : o.retainDays * 86_400_000;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    if (path !== ':memory:') {
      try {
        chmodSync(path, 0o600);
      } catch {
        // not ours to change (a read-only copy): leave it
      }
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
  }

  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    let store: SqliteStore | undefined;
    try {
      store = new SqliteStore(path, options);
      store.migrate();
      return store;
    } catch (err) {
      store?.db.close();
      if (err instanceof MagmaError) throw err;
      throw storeError(err, path);
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
    const current = this.schemaVersion;
    const latest = files.length ? Number(files[files.length - 1]!.slice(0, 4)) : 0;
    if (current > latest) {
      throw new MagmaError('STORE_FAILED', `the database ${this.path} has schema version ${current}, newer than this build knows (${latest}).`, {
        hint: 'Upgrade magma-agent, or point --data-dir at another directory.',
      });
    }
    for (const file of files) {
      const version = Number(file.slice(0, 4));
      if (version <= current) continue;
      const sql = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.pragma(`user_version = ${version}`);
      })();
    }
  }

  /** A statement prepared once per connection and reused (preparing is a large share of a small query's cost). */
  prepare(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /** Runs a write; SQLite failures become STORE_FAILED with what to do. */
  runWrite<T>(fn: () => T): T {
    return this.write(fn);
  }

  private write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof MagmaError) throw err;
      throw storeError(err, this.path);
    }
  }

  /**
   * Runs `fn` as one transaction of observations (a tick's feed, opinions and decisions; an API-call or price row).
   * Committed with synchronous=NORMAL: it survives a crash of the process, and the
   * next journal write (synchronous=FULL, one fsync covers every earlier commit) makes it durable on disk too. The
   * journal's own writes never go through here.
   */
  batch<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.write(fn);
    if (this.path === ':memory:') return this.committed(() => this.write(() => this.inTransaction(fn) as T));
    return this.committed(() => this.write(() => {
      this.prepare('PRAGMA synchronous = NORMAL').run();
      try {
        return this.inTransaction(fn) as T;
      } finally {
        this.prepare('PRAGMA synchronous = FULL').run();
      }
    }));
  }

  /** Runs what waited for the outermost transaction to commit; forgets it when that transaction failed. */
  private committed<T>(fn: () => T): T {
    try {
      const out = fn();
      const after = this.afterCommits.splice(0);
      for (const f of after) f();
      return out;
    } catch (err) {
      this.afterCommits.length = 0;
      throw err;
    }
  }

  private readonly afterCommits: Array<() => void> = [];

  /**
   * Runs `fn` once what was just written is committed: at once outside a transaction, else after the outermost one
   * commits (never when it rolls back). How the ledger books follow the database without ever running ahead of it.
   */
  afterCommit(fn: () => void): void {
    if (this.db.inTransaction) this.afterCommits.push(fn);
    else fn();
  }

  private readonly books = new Map<Ledger, LedgerBook>();

  /** The ledger's book if something has read it already (else it is loaded, up to date, at first read). */
  peekLedgerBook(ledger: Ledger): LedgerBook | undefined {
    return this.books.get(ledger);
  }

  /**
   * The ledger's figures the journal's guard reads (src/store/ledger-book.ts), loaded from the database at first use
   * and kept in step by the journal's writes and recordOutcome from then on.
   */
  ledgerBook(ledger: Ledger): LedgerBook {
    const dry = ledger === 'dry-run' ? 1 : 0;
    let book = this.books.get(ledger);
    if (book) return book;
    book = new LedgerBook();
    const rows = this.prepare(`SELECT b.id, b.narrative_id, b.category, b.stake_lamports, b.state, b.wallet, b.created_at, b.outcome IS NOT NULL AS settled,
                (SELECT COUNT(*) FROM backing_attempts a WHERE a.backing_id = b.id AND a.outcome = 'landed') AS landed
                FROM backings b WHERE b.dry_run = ? AND b.state <> 'cancelled' ORDER BY b.created_at, b.id`)
      .safeIntegers(true).all(dry) as Array<{ id: bigint; narrative_id: string; category: string; stake_lamports: bigint; state: string; wallet: string | null; created_at: string; settled: bigint; landed: bigint }>;
    for (const r of rows) {
      book.add({
        id: Number(r.id), narrativeId: r.narrative_id, category: r.category, stake: r.stake_lamports, state: r.state as never,
        wallet: r.wallet, createdAt: r.created_at, settled: r.settled === 1n, landed: Number(r.landed),
      });
    }
    for (const id of this.prepare('SELECT narrative_id FROM resolutions WHERE dry_run = ?').pluck().all(dry) as string[]) book.verdictNarratives.add(id);
    this.books.set(ledger, book);
    return book;
  }

  /** One transaction wrapper for every batch (better-sqlite3 builds one per `transaction()` call). */
  private txn: ((fn: () => unknown) => unknown) | null = null;

  private inTransaction(fn: () => unknown): unknown {
    this.txn ??= this.db.transaction((f: () => unknown) => f());
    return this.txn(fn);
  }

  /** One small observation row, committed as a batch of its own (or with the batch under way). */
  private observe(sql: string, ...args: unknown[]): void {
    this.batch(() => this.prepare(sql).run(...args));
  }

  beginTick(startedAt: string): number {
    return this.batch(() => Number(this.prepare('INSERT INTO ticks (started_at) VALUES (?)').run(startedAt).lastInsertRowid));
  }

  /** Ticks left 'running' by a process that died; returns how many were closed as 'interrupted'. */
  closeInterruptedTicks(at: string): number {
    return this.write(() => this.db.prepare(`UPDATE ticks SET status = 'interrupted', finished_at = ? WHERE status = 'running'`).run(at).changes);
  }

  finishTick(tickId: number, o: TickOutcome): void {
    this.batch(() =>
      this.prepare(`UPDATE ticks SET finished_at = ?, status = ?, feed_count = ?, dropped_count = ?, decisions = ?, error_code = ?, error = ? WHERE id = ?`)
        .run(o.finishedAt, o.status, o.feedCount ?? null, o.droppedCount ?? null, o.decisions ?? null, o.errorCode ?? null, o.error ?? null, tickId),
    );
    this.housekeeping(Date.parse(o.finishedAt));
  }

  recordFeed(tickId: number, observedAt: string, items: readonly FeedObservation[]): number {
    const nowMs = Date.parse(observedAt);
    return this.batch(() => {
      let changed = 0;
      for (const { narrative: n, raw } of items) {
        let known = this.known.get(n.id);
        if (known?.last && sameObservation(known.last, n)) {
          known.lastSeenMs = nowMs;
          this.windows.seen(n.id, nowMs);
          if (nowMs - known.seenWrittenMs >= HOUSEKEEPING_MS) {
            this.prepare('UPDATE narratives SET last_seen_at = ? WHERE nid = ?').run(observedAt, known.nid);
            known.seenWrittenMs = nowMs;
          }
          continue;
        }
        const hash = narrativeHash(n);
        if (!known) {
          // First sight in this process: compare with what an earlier run stored, and load the history window once.
          const stored = this.prepare('SELECT nid, last_hash FROM narratives WHERE id = ?').get(n.id) as { nid: number; last_hash: string } | undefined;
          known = { nid: stored?.nid ?? this.nextNid(), last: stored?.last_hash === hash ? n : null, seenWrittenMs: -Infinity, lastSeenMs: nowMs };
          if (stored) this.windows.seed(n.id, this.storedHistory(known.nid, nowMs), nowMs);
          this.known.set(n.id, known);
        }
        this.prepare(`
          INSERT INTO narratives (id, nid, title, category, first_seen_at, last_seen_at, last_hash, oracle_status)
          VALUES (@id, @nid, @title, @category, @at, @at, @hash, @status)
          ON CONFLICT (id) DO UPDATE SET title = @title, category = @category, last_seen_at = @at, last_hash = @hash, oracle_status = @status`)
          .run({ id: n.id, nid: known.nid, title: n.title, category: n.category, at: observedAt, hash, status: n.oracleStatus });
        known.seenWrittenMs = nowMs;
        known.lastSeenMs = nowMs;
        if (known.last === n) {
          this.windows.seen(n.id, nowMs);
          continue; // unchanged since the last run of the agent
        }
        known.last = n;
        changed++;
        const rawJson = JSON.stringify(raw ?? null);
        this.prepare(`
          INSERT INTO narrative_snapshots (nid, tick_id, t, oracle_status, total_backed_lamports, backer_count, challenge_count, raw_json)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
          .run(known.nid, tickId, nowMs, n.oracleStatus, n.totalBackedLamports, n.backerCount, n.challengeCount, rawToStore(known.raw, n, rawJson));
        if (raw && typeof raw === 'object' && !Array.isArray(raw)) known.raw = raw as Record<string, unknown>;
        else delete known.raw;
        this.windows.append(n.id, { observedAt, observedMs: nowMs, oracleStatus: n.oracleStatus, totalBackedLamports: n.totalBackedLamports, backerCount: n.backerCount, challengeCount: n.challengeCount }, nowMs);
      }
      // The list of narratives in feed order, stored only when it differs from the last poll's (or once an hour).
      let ids = '';
      for (const { narrative } of items) ids += `${ids ? ',' : ''}"${narrative.id}"`;
      ids = `[${ids}]`;
      const full = ids !== this.lastPollIds || nowMs - this.lastFullPollMs >= FULL_POLL_EVERY_MS;
      this.prepare('INSERT INTO feed_polls (tick_id, observed_at, narrative_ids) VALUES (?, ?, ?)').run(tickId, observedAt, full ? ids : null);
      if (full) {
        this.lastPollIds = ids;
        this.lastFullPollMs = nowMs;
      }
      this.awaitingOutcomes().observeFeed(items.map((i) => i.narrative.id), nowMs);
      this.windows.sweep(nowMs);
      return changed;
    });
  }

  private nidCounter: number | null = null;

  private nextNid(): number {
    this.nidCounter ??= Number(this.prepare('SELECT COALESCE(MAX(nid), 0) FROM narratives').pluck().get());
    return ++this.nidCounter;
  }

  private storedHistory(nid: number, nowMs: number): NarrativeSnapshot[] {
    const rows = this.prepare(`SELECT t, oracle_status, total_backed_lamports, backer_count, challenge_count
              FROM narrative_snapshots WHERE nid = ? AND t >= ? ORDER BY t, id`)
      .safeIntegers(true)
      .all(nid, nowMs - this.windows.windowMs) as Array<Record<string, bigint | string>>;
    return rows.map((r) => ({
      observedAt: new Date(Number(r.t)).toISOString(),
      observedMs: Number(r.t),
      oracleStatus: r.oracle_status as string,
      totalBackedLamports: r.total_backed_lamports as bigint,
      backerCount: Number(r.backer_count),
      challengeCount: Number(r.challenge_count),
    }));
  }

  history(narrativeId: string, nowMs: number): readonly NarrativeSnapshot[] {
    return this.windows.history(narrativeId, nowMs);
  }

  recordOpinions(tickId: number, narrativeId: string, observedAt: string, opinions: readonly OpinionRecord[], oracleStatus?: string): void {
    const nid = this.known.get(narrativeId)?.nid ?? this.nidOf(narrativeId);
    const t = Date.parse(observedAt);
    this.batch(() => {
      for (const o of opinions) {
        if (o.strategy === 'ensemble') continue; // the decision records the ensemble's probability
        const key = `${narrativeId}\u0000${o.strategy}`;
        const runKey = opinionRunKey(o, oracleStatus);
        if (this.opinionRuns.extend(key, runKey, observedAt, o.pTrue)) continue;
        const rowId = Number(this.prepare(`
          INSERT INTO opinions (nid, tick_id, strategy, t, p_true, confidence, oracle_status, rationale, verdict_json, error, duration_ms)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
          .run(nid, tickId, o.strategy, t, o.pTrue, o.confidence, oracleStatus ?? null, rationaleOf(o)?.slice(0, 300) ?? null,
            o.verdict ? JSON.stringify(o.verdict) : null, o.error ?? null, o.durationMs).lastInsertRowid);
        const ended = this.opinionRuns.start(key, runKey, rowId, observedAt, o.pTrue);
        if (ended) this.writeOpinionRun(ended);
      }
    });
  }

  /** The integer key of a narrative not seen in this process's feed (tests, tools). */
  private nidOf(narrativeId: string): number {
    const nid = this.prepare('SELECT nid FROM narratives WHERE id = ?').pluck().get(narrativeId) as number | undefined;
    if (nid !== undefined) return nid;
    const fresh = this.nextNid();
    this.prepare(`INSERT INTO narratives (id, nid, title, category, first_seen_at, last_seen_at, last_hash, oracle_status) VALUES (?, ?, '', '', '', '', '', '')`).run(narrativeId, fresh);
    return fresh;
  }

  private writeOpinionRun(run: { rowId: number; lastAt: string; count: number; lastP: number | null }): void {
    this.prepare('UPDATE opinions SET last_t = ?, seen_count = ?, last_p_true = ? WHERE id = ?').run(Date.parse(run.lastAt), run.count, run.lastP, run.rowId);
  }

  private writeDecisionRun(run: { rowId: number; lastAt: string; count: number; lastP: number | null }): void {
    this.prepare('UPDATE decisions SET last_seen_at = ?, seen_count = ?, last_p_true = ? WHERE id = ?').run(run.lastAt, run.count, run.lastP, run.rowId);
  }

  recordDecision(tickId: number, d: Decision, createdAt: string): number {
    return this.batch(() => {
      this.noteDecided(d.narrativeId);
      if (d.action === 'skip') {
        const runKey = decisionRunKey(d);
        const run = this.decisionRuns.extend(d.narrativeId, runKey, createdAt, d.pTrue);
        if (run) return run.rowId;
      }
      const rowId = Number(this.prepare(`INSERT INTO decisions (tick_id, narrative_id, kind, action, stake_lamports, p_true, confidence, edge, expected_value, reasons_json, dry_run, created_at)
                    VALUES (?, ?, 'back', ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(tickId, d.narrativeId, d.action, d.stakeLamports, d.pTrue, d.confidence, d.edge, d.expectedValue,
          JSON.stringify(d.reasons), this.dry, createdAt).lastInsertRowid);
      const ended = d.action === 'skip' ? this.decisionRuns.start(d.narrativeId, decisionRunKey(d), rowId, createdAt, d.pTrue) : this.decisionRuns.end(d.narrativeId);
      if (ended) this.writeDecisionRun(ended);
      return rowId;
    });
  }

  recordResolutionDecision(tickId: number, d: ResolutionDecision, createdAt: string): number {
    return this.write(() => {
      this.noteDecided(d.narrativeId);
      return Number(
        this.prepare(`INSERT INTO decisions (tick_id, narrative_id, kind, action, stake_lamports, p_true, confidence, edge, expected_value, reasons_json, dry_run, created_at)
                    VALUES (?, ?, 'resolve', ?, 0, ?, ?, NULL, NULL, ?, ?, ?)`)
          .run(tickId, d.narrativeId, d.action, d.resolution === null ? null : d.resolution ? 1 : 0, d.confidence,
            JSON.stringify(d.reasons), this.dry, createdAt).lastInsertRowid,
      );
    });
  }

  /** A verdict of this store's ledger (a dry-run verdict never blocks a live one). */
  hasResolution(narrativeId: string): boolean {
    return this.prepare('SELECT 1 FROM resolutions WHERE narrative_id = ? AND dry_run = ?').get(narrativeId, this.dry) !== undefined;
  }

  /** An audit row, committed like a tick's observations (no fsync of its own). */
  recordApiCall(c: ApiCallRecord): void {
    this.observe(`INSERT INTO api_calls (at, family, method, route, status, latency_ms, ratelimit_limit, ratelimit_remaining, ratelimit_reset, error_code, budget_remaining)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    c.at, c.family, c.method, c.route, c.status, c.latencyMs, c.rateLimitLimit ?? null, c.rateLimitRemaining ?? null,
    c.rateLimitReset ?? null, c.errorCode ?? null, c.budgetRemaining ?? null);
  }

  recordMagusCall(c: MagusCallRecord): void {
    this.write(() =>
      this.prepare(`INSERT INTO magus_calls (at, day, session_id, stream, verbosity, status, latency_ms, prompt_tokens, completion_tokens, credits, error_code)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(c.at, c.day, c.sessionId, c.stream ? 1 : 0, c.verbosity, c.status, c.latencyMs, c.promptTokens, c.completionTokens, c.credits, c.errorCode),
    );
  }

  /** issue 17: Magus answers kept across restarts (and exported with recordings). */
  latestMagusAnswer(narrativeId: string): StoredMagusAnswer | null {
    const r = this.prepare('SELECT narrative_id, version, asked_at, p_true, confidence, verdict, reasoning, credits FROM magus_answers WHERE narrative_id = ? ORDER BY id DESC LIMIT 1')
      .get(narrativeId) as { narrative_id: string; version: string; asked_at: string; p_true: number; confidence: number; verdict: StoredMagusAnswer['verdict']; reasoning: string; credits: number } | undefined;
    return r ? { narrativeId: r.narrative_id, version: r.version, askedAt: r.asked_at, pTrue: r.p_true, confidence: r.confidence, verdict: r.verdict, reasoning: r.reasoning, credits: r.credits } : null;
  }

  recordMagusAnswer(a: StoredMagusAnswer): void {
    this.observe('INSERT INTO magus_answers (narrative_id, version, asked_at, p_true, confidence, verdict, reasoning, credits) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      a.narrativeId, a.version, a.askedAt, a.pTrue, a.confidence, a.verdict, a.reasoning, a.credits);
  }

  magusCreditsOn(day: string): number {
    return Number(this.prepare('SELECT COALESCE(SUM(credits), 0) FROM magus_calls WHERE day = ?').pluck().get(day));
  }

  // issue 17: the learning ensemble's memory. Samples are observations (committed like a tick's, no fsync of their own).
  addForecastSample(x: ForecastSample): void {
    this.observe('INSERT INTO forecast_samples (narrative_id, category, t, forecasts_json) VALUES (?, ?, ?, ?)', x.narrativeId, x.category, x.t, JSON.stringify(x.forecasts));
  }

  settleForecastSamples(narrativeId: string, outcome: Outcome): void {
    if (outcome === 'refund') this.observe('DELETE FROM forecast_samples WHERE narrative_id = ?', narrativeId);
    else this.observe('UPDATE forecast_samples SET outcome = ? WHERE narrative_id = ? AND outcome IS NULL', outcome === 'true' ? 1 : 0, narrativeId);
  }

  loadForecastSamples(limit: number): { settled: SettledSample[]; pending: ForecastSample[] } {
    type Row = { narrative_id: string; category: string; t: number; forecasts_json: string; outcome: number | null };
    const read = (r: Row): ForecastSample => ({ narrativeId: r.narrative_id, category: r.category, t: r.t, forecasts: JSON.parse(r.forecasts_json) as ForecastSample['forecasts'] });
    const settled = (this.prepare('SELECT * FROM (SELECT narrative_id, category, t, forecasts_json, outcome, id FROM forecast_samples WHERE outcome IS NOT NULL ORDER BY id DESC LIMIT ?) ORDER BY id')
      .all(limit) as Row[]).map((r) => ({ ...read(r), outcome: r.outcome === 1 }));
    const pending = (this.prepare('SELECT narrative_id, category, t, forecasts_json, outcome FROM forecast_samples WHERE outcome IS NULL ORDER BY id').all() as Row[]).map(read);
    return { settled, pending };
  }

  saveEnsembleWeights(view: EnsembleWeightsView): void {
    this.batch(() => {
      this.prepare('INSERT INTO ensemble_weights (id, updated_at, view_json) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, view_json = excluded.view_json')
        .run(view.updatedAt, JSON.stringify(view));
      // Only the newest settled samples are ever fitted on: the rest go.
      this.prepare(`DELETE FROM forecast_samples WHERE outcome IS NOT NULL AND id < (SELECT COALESCE(MIN(id), 0) FROM
                      (SELECT id FROM forecast_samples WHERE outcome IS NOT NULL ORDER BY id DESC LIMIT ?))`).run(KEEP_SETTLED_SAMPLES);
      // A narrative no source ever told the outcome of would keep its samples for ever: 60 days is long past any deadline.
      const at = view.updatedAt === null ? NaN : Date.parse(view.updatedAt);
      if (Number.isFinite(at)) this.prepare('DELETE FROM forecast_samples WHERE outcome IS NULL AND t < ?').run(at - 60 * 86_400_000);
    });
  }

  ensembleWeights(): EnsembleWeightsView | null {
    const json = this.prepare('SELECT view_json FROM ensemble_weights WHERE id = 1').pluck().get() as string | undefined;
    return json ? (JSON.parse(json) as EnsembleWeightsView) : null;
  }

  portfolioView(dayStart: string): PortfolioView {
    return this.ledgerView(this.ledger, dayStart);
  }

  /**
   * The portfolio of either ledger, read from its book (src/store/ledger-book.ts): the same figures the journal's guard
   * reads, kept in step with every committed journal change, so a tick reads no table. The sets are the book's own
   * (read-only to callers); a window reaching back past what the book dropped is summed in SQL.
   */
  ledgerView(ledger: Ledger, dayStart: string): PortfolioView {
    const book = this.ledgerBook(ledger);
    return {
      openPositions: book.openPositions,
      exposure: book.exposure,
      spentToday: book.spent.sum(dayStart) ?? this.ledgerSpentSince(ledger, dayStart),
      exposureByCategory: book.exposureByCategory,
      heldNarratives: book.heldNarratives,
      // A narrative the ledger has a verdict on is never backed (conflict of interest), decided before any intent.
      verdictNarratives: book.verdictNarratives,
    };
  }

  /** Stakes the ledger committed since `start` (at stake once per landed attempt, as the book counts them). */
  ledgerSpentSince(ledger: Ledger, start: string): bigint {
    const placeholders = CLOSED_STATES.map(() => '?').join(',');
    return this.prepare(`SELECT COALESCE(SUM(b.stake_lamports * MAX(1, (SELECT COUNT(*) FROM backing_attempts a WHERE a.backing_id = b.id AND a.outcome = 'landed'))), 0)
                FROM backings b WHERE b.dry_run = ? AND b.created_at >= ? AND b.state NOT IN (${placeholders})`)
      .safeIntegers(true)
      .pluck()
      .get(ledger === 'dry-run' ? 1 : 0, start, ...CLOSED_STATES) as bigint;
  }

  private noteDecided(narrativeId: string): void {
    const awaiting = this.awaitingOutcomes();
    if (!awaiting.has(narrativeId) && !this.hasOutcome(narrativeId)) awaiting.add(narrativeId, this.known.get(narrativeId)?.lastSeenMs ?? 0);
  }

  private hasOutcome(narrativeId: string): boolean {
    return this.prepare('SELECT 1 FROM outcomes WHERE narrative_id = ?').get(narrativeId) !== undefined;
  }

  private awaitingOutcomes(): AwaitingOutcomes {
    if (!this.awaiting) {
      const rows = this.db.prepare(`SELECT n.id, n.last_seen_at FROM narratives n
                WHERE NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.narrative_id = n.id)
                  AND (EXISTS (SELECT 1 FROM backings b WHERE b.narrative_id = n.id AND b.outcome IS NULL)
                       OR EXISTS (SELECT 1 FROM decisions d WHERE d.narrative_id = n.id))`).all() as Array<{ id: string; last_seen_at: string }>;
      this.awaiting = new AwaitingOutcomes();
      this.awaiting.load(rows.map((r) => [r.id, Math.max(Date.parse(r.last_seen_at), this.known.get(r.id)?.lastSeenMs ?? 0)]));
    }
    return this.awaiting;
  }

  narrativesAwaitingOutcome(exclude: ReadonlySet<string>, limit: number, heldOnly = false, nowMs?: number): string[] {
    // Most recently seen first: a narrative that just left the feed is the likeliest to have resolved, and one that
    // never resolves (an outcome no source will tell) cannot starve the newer ones.
    if (!heldOnly) return this.awaitingOutcomes().take(exclude, limit, nowMs);
    // The ledger's open positions, from its book (kept in step with the journal): no scan of every backing ever made.
    const held = this.ledgerBook(this.ledger).heldNarratives;
    const awaiting = this.awaitingOutcomes();
    for (const id of held) awaiting.add(id, this.known.get(id)?.lastSeenMs ?? 0);
    return awaiting.take(exclude, limit, nowMs, (id) => held.has(id));
  }

  deferOutcomeLookup(narrativeId: string, untilMs: number): void {
    this.awaitingOutcomes().defer(narrativeId, untilMs);
  }

  recordOutcome(o: OutcomeRecord, at: string, pnl: (stake: bigint, outcome: Outcome) => bigint): SettledBacking[] | null {
    const placeholders = CLOSED_STATES.map(() => '?').join(',');
    return this.batch(() => {
      const inserted = this.prepare(`INSERT INTO outcomes (narrative_id, outcome, resolved_at, source, recorded_at, confidence, sources_json) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
        .run(o.narrativeId, o.outcome, o.resolvedAt, o.source, at, o.confidence ?? null, o.sources?.length ? JSON.stringify(o.sources) : null);
      if (inserted.changes === 0) return null;
      this.awaiting?.resolve(o.narrativeId);
      this.afterCommit(() => {
        for (const book of this.books.values()) book.settle(o.narrativeId);
      });
      const open = this.prepare(`SELECT id, stake_lamports, dry_run FROM backings WHERE narrative_id = ? AND outcome IS NULL AND state NOT IN (${placeholders})`)
        .safeIntegers(true)
        .all(o.narrativeId, ...CLOSED_STATES) as Array<{ id: bigint; stake_lamports: bigint; dry_run: bigint }>;
      const settle = this.prepare(`UPDATE backings SET outcome = ?, pnl_lamports = ?, updated_at = ? WHERE id = ?`);
      return open.map((b) => {
        const value = pnl(b.stake_lamports, o.outcome);
        settle.run(o.outcome, value, at, b.id);
        return { backingId: Number(b.id), narrativeId: o.narrativeId, stakeLamports: b.stake_lamports, pnlLamports: value, ledger: b.dry_run === 1n ? 'dry-run' : 'live' };
      });
    });
  }

  recordPrice(asset: string, t: string, price: number): void {
    this.observe('INSERT INTO price_points (asset, t, price) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', asset, t, price);
  }

  getMeta(key: string): string | null {
    return (this.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  }

  setMeta(key: string, value: string): void {
    this.write(() => this.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value));
  }

  /**
   * Every HOUSEKEEPING_MS of clock time, after a tick: writes the counts of runs seen again, forgets narratives that
   * left the feed, and prunes one small batch of rows older than store.retainDays.
   */
  private housekeeping(nowMs: number): void {
    if (!Number.isFinite(nowMs) || nowMs - this.lastHousekeepingMs < HOUSEKEEPING_MS) return;
    this.lastHousekeepingMs = nowMs;
    this.flushRuns();
    const live = (key: string) => this.windows.has(key.split('\u0000', 1)[0]!);
    this.opinionRuns.prune(live);
    this.decisionRuns.prune(live);
    for (const [id, k] of this.known) if (nowMs - k.lastSeenMs > this.windows.windowMs) this.known.delete(id);
    if (this.retainMs !== null) this.prune(new Date(nowMs - this.retainMs).toISOString(), PRUNE_BATCH);
  }

  /** Writes the last-seen time and count of every run seen again since it was last written. */
  flushRuns(): void {
    const opinions = this.opinionRuns.takeDirty();
    const decisions = this.decisionRuns.takeDirty();
    if (!opinions.length && !decisions.length) return;
    this.batch(() => {
      for (const run of opinions) this.writeOpinionRun(run);
      for (const run of decisions) this.writeDecisionRun(run);
    });
  }

  /**
   * Deletes up to `batch` rows per table older than `before` (ISO): snapshots (never a narrative's newest), opinions
   * and skip decisions whose run ended before it, feed polls, API and Magus calls and price points. Never touches
   * ticks, narratives, backings (the journal and P&L), backing decisions, resolutions or outcomes. Ids grow with time,
   * so each table is cut below the first id at or after `before`, found by a binary search on the id. Returns how
   * many rows went.
   */
  prune(before: string, batch = PRUNE_BATCH): number {
    const beforeMs = Date.parse(before);
    return this.batch(() => {
      let n = 0;
      const del = (sql: string, ...args: unknown[]) => {
        n += this.prepare(sql).run(...args).changes;
      };
      n += this.pruneSnapshots(this.firstIdAtOrAfter('narrative_snapshots', 'id', 't', beforeMs), batch);
      del(`DELETE FROM opinions WHERE id IN (SELECT id FROM opinions WHERE id < ? AND COALESCE(last_t, t) < ? ORDER BY id LIMIT ?)`,
        this.firstIdAtOrAfter('opinions', 'id', 't', beforeMs), beforeMs, batch);
      del(`DELETE FROM decisions WHERE id IN (SELECT id FROM decisions WHERE id < ? AND COALESCE(last_seen_at, created_at) < ?
             AND kind = 'back' AND action = 'skip' ORDER BY id LIMIT ?)`, this.firstIdAtOrAfter('decisions', 'id', 'created_at', before), before, batch);
      del(`DELETE FROM feed_polls WHERE tick_id IN (SELECT tick_id FROM feed_polls WHERE tick_id < ? ORDER BY tick_id LIMIT ?)`,
        this.firstIdAtOrAfter('feed_polls', 'tick_id', 'observed_at', before), batch);
      del(`DELETE FROM api_calls WHERE id IN (SELECT id FROM api_calls WHERE id < ? ORDER BY id LIMIT ?)`, this.firstIdAtOrAfter('api_calls', 'id', 'at', before), batch);
      del(`DELETE FROM magus_calls WHERE id IN (SELECT id FROM magus_calls WHERE id < ? ORDER BY id LIMIT ?)`, this.firstIdAtOrAfter('magus_calls', 'id', 'at', before), batch);
      del(`DELETE FROM price_points WHERE rowid IN (SELECT rowid FROM price_points WHERE rowid < ? AND t < ? ORDER BY rowid LIMIT ?)`,
        this.firstIdAtOrAfter('price_points', 'rowid', 't', before), before, batch);
      return n;
    });
  }

  /** The first id whose time is at or after `at` (ids grow with time), or one past the last id. */
  private firstIdAtOrAfter(table: string, id: string, time: string, at: number | string): number {
    const probe = this.prepare(`SELECT ${id} AS id, ${time} AS t FROM ${table} WHERE ${id} >= ? ORDER BY ${id} LIMIT 1`);
    const last = this.prepare(`SELECT MAX(${id}) FROM ${table}`).pluck().get() as number | null;
    if (last === null) return 0;
    let lo = 0;
    let hi = last + 1;
    let answer = last + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const row = probe.get(mid) as { id: number; t: number | string } | undefined;
      if (!row) {
        hi = mid;
      } else if (row.t < at) {
        lo = row.id + 1;
      } else {
        answer = row.id;
        hi = mid;
      }
    }
    return answer;
  }

  /**
   * Deletes old snapshots, keeping each narrative's newest, and keeps the invariant export relies on: the oldest
   * snapshot left of a narrative carries its whole raw item (rebuilt from the deleted ones when it had none).
   */
  private pruneSnapshots(belowId: number, batch: number): number {
    const rows = this.prepare(`SELECT s.id, s.nid, s.oracle_status, s.total_backed_lamports, s.backer_count, s.challenge_count, s.raw_json
             FROM narrative_snapshots s WHERE s.id < ?
               AND EXISTS (SELECT 1 FROM narrative_snapshots x WHERE x.nid = s.nid AND x.id > s.id) ORDER BY s.id LIMIT ?`)
      .safeIntegers(true).all(belowId, batch) as Array<{ id: bigint; nid: bigint; oracle_status: string; total_backed_lamports: bigint; backer_count: bigint; challenge_count: bigint; raw_json: string | null }>;
    if (!rows.length) return 0;
    const base = new Map<number, Record<string, unknown> | null>();
    for (const r of rows) {
      const nid = Number(r.nid);
      const previous = base.get(nid);
      base.set(nid, r.raw_json !== null ? (JSON.parse(r.raw_json) as Record<string, unknown>) : previous ? patchRaw(previous, tracked(r)) : null);
    }
    const del = this.prepare('DELETE FROM narrative_snapshots WHERE id = ?');
    for (const r of rows) del.run(r.id);
    const next = this.prepare(`SELECT id, oracle_status, total_backed_lamports, backer_count, challenge_count, raw_json FROM narrative_snapshots WHERE nid = ? ORDER BY id LIMIT 1`).safeIntegers(true);
    for (const [nid, raw] of base) {
      const first = next.get(nid) as { id: bigint; oracle_status: string; total_backed_lamports: bigint; backer_count: bigint; challenge_count: bigint; raw_json: string | null } | undefined;
      if (first && first.raw_json === null && raw) {
        this.prepare('UPDATE narrative_snapshots SET raw_json = ? WHERE id = ?').run(JSON.stringify(patchRaw(raw, tracked(first))), first.id);
      }
    }
    return rows.length;
  }

  runSummary(limit = 10): RunSummary {
    return runSummary(this, limit);
  }

  calibrationByStrategy(): Record<string, Calibration> {
    return calibrationByStrategy(this);
  }

  pnlSummary(): PnlSummary {
    return pnlSummary(this);
  }

  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.flushRuns();
    } catch {
      // closing after a store failure: what could not be written is only a count
    }
    this.db.close();
  }
}

// SQLite implementation of the store port: WAL, synchronous=FULL (money is recorded here), a busy timeout,
// and numbered migrations (src/store/migrations/NNNN_name.sql) applied under PRAGMA user_version.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Decision, PortfolioView } from '../core/decide.js';
import type { ResolutionDecision } from '../core/decide-resolution.js';
import { MagmaError } from '../core/errors.js';
import type { Narrative, NarrativeSnapshot } from '../core/narrative.js';
import type { MagusCallRecord, MagusUsageStore } from '../ports/magus.js';
import type { ApiCallRecord, BackingIntent, FeedObservation, OpinionRecord, Outcome, OutcomeRecord, ResolutionIntent, SettledBacking, Store, TickOutcome } from '../ports/store.js';

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
  return new MagmaError('STORE_FAILED', `database error (${code || 'unknown'}): ${(err as Error).message}.`, { cause: err, hint, details: { path } });
}

export class SqliteStore implements Store, MagusUsageStore {
  readonly db: Database.Database;

  private constructor(readonly path: string) {
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

  static open(path: string): SqliteStore {
    let store: SqliteStore | undefined;
    try {
      store = new SqliteStore(path);
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

  beginTick(startedAt: string): number {
    return this.write(() => Number(this.db.prepare('INSERT INTO ticks (started_at) VALUES (?)').run(startedAt).lastInsertRowid));
  }

  /** Ticks left 'running' by a process that died; returns how many were closed as 'interrupted'. */
  closeInterruptedTicks(at: string): number {
    return this.write(() => this.db.prepare(`UPDATE ticks SET status = 'interrupted', finished_at = ? WHERE status = 'running'`).run(at).changes);
  }

  finishTick(tickId: number, o: TickOutcome): void {
    this.write(() =>
      this.db
        .prepare(`UPDATE ticks SET finished_at = ?, status = ?, feed_count = ?, dropped_count = ?, decisions = ?, error_code = ?, error = ? WHERE id = ?`)
        .run(o.finishedAt, o.status, o.feedCount ?? null, o.droppedCount ?? null, o.decisions ?? null, o.errorCode ?? null, o.error ?? null, tickId),
    );
  }

  recordFeed(tickId: number, observedAt: string, items: readonly FeedObservation[]): number {
    const lastHash = this.db.prepare('SELECT last_hash FROM narratives WHERE id = ?').pluck();
    const upsert = this.db.prepare(`
      INSERT INTO narratives (id, title, category, first_seen_at, last_seen_at, last_hash, oracle_status)
      VALUES (@id, @title, @category, @at, @at, @hash, @status)
      ON CONFLICT (id) DO UPDATE SET title = @title, category = @category, last_seen_at = @at, last_hash = @hash, oracle_status = @status`);
    const snapshot = this.db.prepare(`
      INSERT INTO narrative_snapshots (narrative_id, tick_id, observed_at, hash, oracle_status, total_backed_lamports, backer_count, challenge_count, raw_json)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const poll = this.db.prepare('INSERT INTO feed_polls (tick_id, observed_at, narrative_ids) VALUES (?, ?, ?)');
    return this.write(() =>
      this.db.transaction(() => {
        let changed = 0;
        for (const { narrative: n, raw } of items) {
          const hash = narrativeHash(n);
          const isChange = lastHash.get(n.id) !== hash;
          upsert.run({ id: n.id, title: n.title, category: n.category, at: observedAt, hash, status: n.oracleStatus });
          if (isChange) {
            changed++;
            snapshot.run(n.id, tickId, observedAt, hash, n.oracleStatus, n.totalBackedLamports, n.backerCount, n.challengeCount, JSON.stringify(raw));
          }
        }
        poll.run(tickId, observedAt, JSON.stringify(items.map((i) => i.narrative.id)));
        return changed;
      })(),
    );
  }

  history(narrativeId: string, upTo: string): NarrativeSnapshot[] {
    const rows = this.db
      .prepare(`SELECT observed_at, oracle_status, total_backed_lamports, backer_count, challenge_count
                FROM narrative_snapshots WHERE narrative_id = ? AND observed_at <= ? ORDER BY observed_at, id`)
      .safeIntegers(true)
      .all(narrativeId, upTo) as Array<Record<string, bigint | string>>;
    return rows.map((r) => ({
      observedAt: r.observed_at as string,
      oracleStatus: r.oracle_status as string,
      totalBackedLamports: r.total_backed_lamports as bigint,
      backerCount: Number(r.backer_count),
      challengeCount: Number(r.challenge_count),
    }));
  }

  recordOpinions(tickId: number, narrativeId: string, observedAt: string, opinions: readonly OpinionRecord[], oracleStatus?: string): void {
    const insert = this.db.prepare(`
      INSERT INTO opinions (tick_id, narrative_id, strategy, p_true, confidence, rationale, verdict_json, error, duration_ms, observed_at, oracle_status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.write(() =>
      this.db.transaction(() => {
        for (const o of opinions) {
          insert.run(tickId, narrativeId, o.strategy, o.pTrue, o.confidence, o.rationale ?? null,
            o.verdict ? JSON.stringify(o.verdict) : null, o.error ?? null, o.durationMs, observedAt, oracleStatus ?? null);
        }
      })(),
    );
  }

  recordDecision(tickId: number, d: Decision, dryRun: boolean, createdAt: string): number {
    return this.write(() =>
      Number(
        this.db
          .prepare(`INSERT INTO decisions (tick_id, narrative_id, kind, action, stake_lamports, p_true, confidence, edge, expected_value, reasons_json, dry_run, created_at)
                    VALUES (?, ?, 'back', ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
          .run(tickId, d.narrativeId, d.action, d.stakeLamports, d.pTrue, d.confidence, d.edge, d.expectedValue,
            JSON.stringify(d.reasons), dryRun ? 1 : 0, createdAt).lastInsertRowid,
      ),
    );
  }

  recordResolutionDecision(tickId: number, d: ResolutionDecision, dryRun: boolean, createdAt: string): number {
    return this.write(() =>
      Number(
        this.db
          .prepare(`INSERT INTO decisions (tick_id, narrative_id, kind, action, stake_lamports, p_true, confidence, edge, expected_value, reasons_json, dry_run, created_at)
                    VALUES (?, ?, 'resolve', ?, 0, ?, ?, NULL, NULL, ?, ?, ?)`)
          .run(tickId, d.narrativeId, d.action, d.resolution === null ? null : d.resolution ? 1 : 0, d.confidence,
            JSON.stringify(d.reasons), dryRun ? 1 : 0, createdAt).lastInsertRowid,
      ),
    );
  }

  insertResolutionIntent(r: ResolutionIntent): number | null {
    return this.write(() => {
      const result = this.db
        .prepare(`INSERT INTO resolutions (narrative_id, resolution, confidence, evidence, state, dry_run, created_at, updated_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (narrative_id, dry_run) DO NOTHING`) // issue 11: one row per ledger (0008)
        .run(r.narrativeId, r.resolution ? 'true' : 'false', r.confidence, r.evidence, r.state, r.dryRun ? 1 : 0, r.at, r.at);
      return result.changes === 0 ? null : Number(result.lastInsertRowid);
    });
  }

  hasResolution(narrativeId: string): boolean {
    return this.db.prepare('SELECT 1 FROM resolutions WHERE narrative_id = ?').get(narrativeId) !== undefined;
  }

  recordApiCall(c: ApiCallRecord): void {
    this.write(() =>
      this.db
        .prepare(`INSERT INTO api_calls (at, family, method, route, status, latency_ms, ratelimit_limit, ratelimit_remaining, ratelimit_reset, error_code, budget_remaining)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(c.at, c.family, c.method, c.route, c.status, c.latencyMs, c.rateLimitLimit ?? null, c.rateLimitRemaining ?? null,
          c.rateLimitReset ?? null, c.errorCode ?? null, c.budgetRemaining ?? null),
    );
  }

  recordMagusCall(c: MagusCallRecord): void {
    this.write(() =>
      this.db
        .prepare(`INSERT INTO magus_calls (at, day, session_id, stream, verbosity, status, latency_ms, prompt_tokens, completion_tokens, credits, error_code)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(c.at, c.day, c.sessionId, c.stream ? 1 : 0, c.verbosity, c.status, c.latencyMs, c.promptTokens, c.completionTokens, c.credits, c.errorCode),
    );
  }

  magusCreditsOn(day: string): number {
    return Number(this.db.prepare('SELECT COALESCE(SUM(credits), 0) FROM magus_calls WHERE day = ?').pluck().get(day));
  }

  portfolioView(dryRun: boolean, dayStart: string): PortfolioView {
    const placeholders = CLOSED_STATES.map(() => '?').join(',');
    const open = this.db
      .prepare(`SELECT narrative_id, category, stake_lamports, created_at FROM backings
                WHERE dry_run = ? AND outcome IS NULL AND state NOT IN (${placeholders})`)
      .safeIntegers(true)
      .all(dryRun ? 1 : 0, ...CLOSED_STATES) as Array<{ narrative_id: string; category: string; stake_lamports: bigint; created_at: string }>;
    const spentToday = this.db
      .prepare(`SELECT COALESCE(SUM(stake_lamports), 0) FROM backings
                WHERE dry_run = ? AND created_at >= ? AND state NOT IN (${placeholders})`)
      .safeIntegers(true)
      .pluck()
      .get(dryRun ? 1 : 0, dayStart, ...CLOSED_STATES) as bigint;
    const exposureByCategory = new Map<string, bigint>();
    let exposure = 0n;
    for (const row of open) {
      exposure += row.stake_lamports;
      exposureByCategory.set(row.category, (exposureByCategory.get(row.category) ?? 0n) + row.stake_lamports);
    }
    return {
      openPositions: new Set(open.map((r) => r.narrative_id)).size,
      exposure,
      spentToday,
      exposureByCategory,
      heldNarratives: new Set(open.map((r) => r.narrative_id)),
    };
  }

  insertBackingIntent(b: BackingIntent): number {
    return this.write(() =>
      Number(
        this.db
          .prepare(`INSERT INTO backings (intent_key, decision_id, narrative_id, category, stake_lamports, state, dry_run, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
          .run(b.intentKey, b.decisionId, b.narrativeId, b.category, b.stakeLamports, b.state, b.dryRun ? 1 : 0, b.at, b.at).lastInsertRowid,
      ),
    );
  }

  narrativesAwaitingOutcome(exclude: ReadonlySet<string>, limit: number, heldOnly = false): string[] {
    // Most recently seen first: a narrative that just left the feed is the likeliest to have resolved, and one that
    // never resolves (an outcome no source will tell) cannot starve the newer ones.
    const candidates = this.db
      .prepare(`SELECT n.id FROM narratives n
                WHERE NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.narrative_id = n.id)
                  AND (EXISTS (SELECT 1 FROM backings b WHERE b.narrative_id = n.id AND b.outcome IS NULL)
                       ${heldOnly ? '' : 'OR EXISTS (SELECT 1 FROM decisions d WHERE d.narrative_id = n.id)'})
                ORDER BY n.last_seen_at DESC`)
      .pluck()
      .all() as string[];
    return candidates.filter((id) => !exclude.has(id)).slice(0, limit);
  }

  recordOutcome(o: OutcomeRecord, at: string, pnl: (stake: bigint, outcome: Outcome) => bigint): SettledBacking[] | null {
    const placeholders = CLOSED_STATES.map(() => '?').join(',');
    return this.write(() =>
      this.db.transaction(() => {
        const inserted = this.db
          .prepare(`INSERT INTO outcomes (narrative_id, outcome, resolved_at, source, recorded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
          .run(o.narrativeId, o.outcome, o.resolvedAt, o.source, at);
        if (inserted.changes === 0) return null;
        const open = this.db
          .prepare(`SELECT id, stake_lamports, dry_run FROM backings WHERE narrative_id = ? AND outcome IS NULL AND state NOT IN (${placeholders})`)
          .safeIntegers(true)
          .all(o.narrativeId, ...CLOSED_STATES) as Array<{ id: bigint; stake_lamports: bigint; dry_run: bigint }>;
        const settle = this.db.prepare(`UPDATE backings SET outcome = ?, pnl_lamports = ?, updated_at = ? WHERE id = ?`);
        return open.map((b) => {
          const value = pnl(b.stake_lamports, o.outcome);
          settle.run(o.outcome, value, at, b.id);
          return { backingId: Number(b.id), narrativeId: o.narrativeId, stakeLamports: b.stake_lamports, pnlLamports: value, dryRun: b.dry_run === 1n };
        });
      })(),
    );
  }

  recordPrice(asset: string, t: string, price: number): void {
    this.write(() => this.db.prepare('INSERT INTO price_points (asset, t, price) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(asset, t, price));
  }

  getMeta(key: string): string | null {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  }

  setMeta(key: string, value: string): void {
    this.write(() => this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value));
  }

  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

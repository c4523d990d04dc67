-- 0007: lean records (performance issue 10). Observations are stored compactly: narratives get a small integer key
-- (nid), times are integers (ms since the epoch), a snapshot keeps its raw feed item only when the previous raw item
-- with the four tracked fields patched in would not give it back exactly (src/store/raw-delta.ts), and the
-- per-narrative index is the only one (retention deletes by id, which grows with time). An opinion or a skip decision
-- equal to the narrative's previous one (same reasons or figures, probability rounded to 0.02) extends that row:
-- last_t / last_seen_at, seen_count and, for opinions, the latest probability. The ensemble's opinion is the
-- decision's probability, so it is not stored twice. A feed poll whose list of narratives is the previous poll's
-- stores NULL. Backing decisions, the journal, resolutions and outcomes are kept whole.

ALTER TABLE narratives ADD COLUMN nid INTEGER;
UPDATE narratives SET nid = rowid;
CREATE UNIQUE INDEX narratives_by_nid ON narratives (nid);

CREATE TABLE narrative_snapshots_new (
  id                    INTEGER PRIMARY KEY,
  nid                   INTEGER NOT NULL,             -- narratives.nid
  tick_id               INTEGER REFERENCES ticks(id),
  t                     INTEGER NOT NULL,             -- observed at, ms since the epoch
  oracle_status         TEXT NOT NULL,
  total_backed_lamports INTEGER NOT NULL,
  backer_count          INTEGER NOT NULL,
  challenge_count       INTEGER NOT NULL,
  raw_json              TEXT                          -- NULL: the previous raw item of the narrative, patched
);
INSERT INTO narrative_snapshots_new (id, nid, tick_id, t, oracle_status, total_backed_lamports, backer_count, challenge_count, raw_json)
  SELECT s.id, n.nid, s.tick_id, CAST(ROUND((julianday(s.observed_at) - 2440587.5) * 86400000) AS INTEGER), s.oracle_status,
         s.total_backed_lamports, s.backer_count, s.challenge_count, s.raw_json
  FROM narrative_snapshots s JOIN narratives n ON n.id = s.narrative_id;
DROP TABLE narrative_snapshots;
ALTER TABLE narrative_snapshots_new RENAME TO narrative_snapshots;
CREATE INDEX narrative_snapshots_by_narrative ON narrative_snapshots (nid, t);

CREATE TABLE opinions_new (
  id            INTEGER PRIMARY KEY,
  nid           INTEGER NOT NULL,
  tick_id       INTEGER NOT NULL REFERENCES ticks(id),
  strategy      TEXT NOT NULL,
  t             INTEGER NOT NULL,      -- first given, ms since the epoch
  last_t        INTEGER,               -- last given (runs: the same opinion on later ticks)
  seen_count    INTEGER NOT NULL DEFAULT 1,
  p_true        REAL,
  last_p_true   REAL,
  confidence    REAL,
  oracle_status TEXT,
  rationale     TEXT,
  verdict_json  TEXT,
  error         TEXT,                  -- why the strategy gave no usable opinion (threw, timed out, garbage)
  duration_ms   REAL NOT NULL
);
INSERT INTO opinions_new (id, nid, tick_id, strategy, t, p_true, confidence, oracle_status, rationale, verdict_json, error, duration_ms)
  SELECT o.id, n.nid, o.tick_id, o.strategy, CAST(ROUND((julianday(o.observed_at) - 2440587.5) * 86400000) AS INTEGER), o.p_true,
         o.confidence, o.oracle_status, o.rationale, o.verdict_json, o.error, o.duration_ms
  FROM opinions o JOIN narratives n ON n.id = o.narrative_id;
DROP TABLE opinions;
ALTER TABLE opinions_new RENAME TO opinions;
CREATE INDEX opinions_by_narrative ON opinions (nid, strategy);

ALTER TABLE decisions ADD COLUMN last_seen_at TEXT;
ALTER TABLE decisions ADD COLUMN seen_count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE decisions ADD COLUMN last_p_true REAL;

-- feed_polls.narrative_ids becomes nullable (NULL: the same list as the poll before).
CREATE TABLE feed_polls_new (
  tick_id       INTEGER PRIMARY KEY REFERENCES ticks(id),
  observed_at   TEXT NOT NULL,
  narrative_ids TEXT
);
INSERT INTO feed_polls_new (tick_id, observed_at, narrative_ids) SELECT tick_id, observed_at, narrative_ids FROM feed_polls;
DROP TABLE feed_polls;
ALTER TABLE feed_polls_new RENAME TO feed_polls;

-- Retention deletes by id ranges (ids grow with time): the time indexes go.
DROP INDEX IF EXISTS api_calls_by_time;
DROP INDEX IF EXISTS price_points_by_time;

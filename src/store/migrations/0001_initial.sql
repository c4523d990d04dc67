-- 0001: the first schema. Lamports are INTEGER (read back as bigint); times are ISO-8601 text in UTC.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE ticks (
  id            INTEGER PRIMARY KEY,
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  status        TEXT NOT NULL DEFAULT 'running',   -- running | ok | failed | aborted
  feed_count    INTEGER,
  dropped_count INTEGER,
  decisions     INTEGER,
  error_code    TEXT,
  error         TEXT
);

-- The latest observation of each narrative, so a new snapshot is stored only when something changed.
CREATE TABLE narratives (
  id             TEXT PRIMARY KEY,
  title          TEXT NOT NULL,
  category       TEXT NOT NULL,
  first_seen_at  TEXT NOT NULL,
  last_seen_at   TEXT NOT NULL,
  last_hash      TEXT NOT NULL,
  oracle_status  TEXT NOT NULL
);

CREATE TABLE narrative_snapshots (
  id                    INTEGER PRIMARY KEY,
  narrative_id          TEXT NOT NULL REFERENCES narratives(id),
  tick_id               INTEGER REFERENCES ticks(id),
  observed_at           TEXT NOT NULL,
  hash                  TEXT NOT NULL,
  oracle_status         TEXT NOT NULL,
  total_backed_lamports INTEGER NOT NULL,
  backer_count          INTEGER NOT NULL,
  challenge_count       INTEGER NOT NULL,
  raw_json              TEXT NOT NULL      -- the feed item exactly as received (recordings replay it)
);
CREATE INDEX narrative_snapshots_by_narrative ON narrative_snapshots (narrative_id, observed_at);
CREATE INDEX narrative_snapshots_by_time ON narrative_snapshots (observed_at);

-- Every poll's list of narrative ids in feed order, so the feed can be replayed exactly (export, backtests).
CREATE TABLE feed_polls (
  tick_id       INTEGER PRIMARY KEY REFERENCES ticks(id),
  observed_at   TEXT NOT NULL,
  narrative_ids TEXT NOT NULL               -- JSON array
);

CREATE TABLE opinions (
  id            INTEGER PRIMARY KEY,
  tick_id       INTEGER NOT NULL REFERENCES ticks(id),
  narrative_id  TEXT NOT NULL,
  strategy      TEXT NOT NULL,             -- a strategy's name, or 'ensemble'
  p_true        REAL,
  confidence    REAL,
  rationale     TEXT,
  verdict_json  TEXT,
  error         TEXT,                      -- why the strategy gave no usable opinion (threw, timed out, garbage)
  duration_ms   REAL NOT NULL,
  observed_at   TEXT NOT NULL
);
CREATE INDEX opinions_by_narrative ON opinions (narrative_id, strategy);

CREATE TABLE decisions (
  id              INTEGER PRIMARY KEY,
  tick_id         INTEGER NOT NULL REFERENCES ticks(id),
  narrative_id    TEXT NOT NULL,
  kind            TEXT NOT NULL DEFAULT 'back',   -- back | resolve
  action          TEXT NOT NULL,                  -- back | skip
  stake_lamports  INTEGER NOT NULL,
  p_true          REAL,
  confidence      REAL,
  edge            REAL,
  expected_value  REAL,
  reasons_json    TEXT NOT NULL,
  dry_run         INTEGER NOT NULL,
  created_at      TEXT NOT NULL
);
CREATE INDEX decisions_by_narrative ON decisions (narrative_id);

CREATE TABLE api_calls (
  id                   INTEGER PRIMARY KEY,
  at                   TEXT NOT NULL,
  family               TEXT NOT NULL,
  method               TEXT NOT NULL,
  route                TEXT NOT NULL,    -- the route pattern, e.g. /v1/terms/status/:wallet (no ids, no secrets)
  status               INTEGER,          -- null when no response arrived
  latency_ms           REAL NOT NULL,
  ratelimit_limit      INTEGER,
  ratelimit_remaining  INTEGER,
  ratelimit_reset      TEXT,
  error_code           TEXT
);
CREATE INDEX api_calls_by_time ON api_calls (at);

-- The backing journal (the executor issue drives its states): one row per intent, committed before anything
-- leaves the process. intent → signed → sent → confirmed | expired | failed → reported; dry-run rows are 'simulated'.
CREATE TABLE backings (
  id                       INTEGER PRIMARY KEY,
  intent_key               TEXT NOT NULL UNIQUE,
  decision_id              INTEGER REFERENCES decisions(id),
  narrative_id             TEXT NOT NULL,
  category                 TEXT NOT NULL,
  stake_lamports           INTEGER NOT NULL,
  state                    TEXT NOT NULL,
  dry_run                  INTEGER NOT NULL,
  signature                TEXT,
  blockhash                TEXT,
  last_valid_block_height  INTEGER,
  signed_tx                BLOB,
  outcome                  TEXT,            -- true | false | refund, once settled
  pnl_lamports             INTEGER,
  error                    TEXT,
  created_at               TEXT NOT NULL,
  updated_at               TEXT NOT NULL
);
CREATE INDEX backings_by_narrative ON backings (narrative_id);
CREATE INDEX backings_by_state ON backings (state);

CREATE TABLE resolutions (
  id            INTEGER PRIMARY KEY,
  narrative_id  TEXT NOT NULL UNIQUE,
  resolution    TEXT NOT NULL,             -- true | false
  confidence    REAL NOT NULL,
  evidence      TEXT NOT NULL,
  state         TEXT NOT NULL,             -- intent | submitted | accepted | rejected | simulated
  dry_run       INTEGER NOT NULL,
  response_json TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

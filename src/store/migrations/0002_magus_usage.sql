-- One row per Magus call (the optional LLM judge): what it cost in tokens and credits, so the daily credit cap
-- (magus.dailyCreditCap) can be enforced across restarts. credits = prompt_tokens + completion_tokens.
CREATE TABLE magus_calls (
  id                 INTEGER PRIMARY KEY,
  at                 TEXT NOT NULL,
  day                TEXT NOT NULL,       -- the UTC date (YYYY-MM-DD) whose cap the credits count against
  session_id         TEXT,
  stream             INTEGER NOT NULL,
  verbosity          TEXT,
  status             INTEGER,             -- null when no response arrived
  latency_ms         REAL NOT NULL,
  prompt_tokens      INTEGER NOT NULL DEFAULT 0,
  completion_tokens  INTEGER NOT NULL DEFAULT 0,
  credits            INTEGER NOT NULL DEFAULT 0,
  error_code         TEXT
);
CREATE INDEX magus_calls_by_day ON magus_calls (day);

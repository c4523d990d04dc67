-- 0005: the backing journal's full life (executor issue 7). Each intent keeps its current signed attempt in
-- backings; every attempt ever signed is kept in backing_attempts (a re-sign happens only after the previous one is
-- proven expired), and every state change in backing_events, so a crash at any moment can be explained afterwards.

ALTER TABLE backings ADD COLUMN wallet TEXT;
ALTER TABLE backings ADD COLUMN sign_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE backings ADD COLUMN slot INTEGER;
ALTER TABLE backings ADD COLUMN confirmed_at TEXT;
ALTER TABLE backings ADD COLUMN reported_at TEXT;
ALTER TABLE backings ADD COLUMN report_json TEXT;
CREATE UNIQUE INDEX backings_by_signature ON backings (signature) WHERE signature IS NOT NULL;

CREATE TABLE backing_attempts (
  id                       INTEGER PRIMARY KEY,
  backing_id               INTEGER NOT NULL REFERENCES backings(id),
  signature                TEXT NOT NULL UNIQUE,
  blockhash                TEXT NOT NULL,
  last_valid_block_height  INTEGER NOT NULL,
  signed_at                TEXT NOT NULL,
  outcome                  TEXT NOT NULL DEFAULT 'pending'   -- pending | landed | failed | expired
);
CREATE INDEX backing_attempts_by_backing ON backing_attempts (backing_id);

CREATE TABLE backing_events (
  id          INTEGER PRIMARY KEY,
  backing_id  INTEGER NOT NULL REFERENCES backings(id),
  at          TEXT NOT NULL,
  from_state  TEXT,
  to_state    TEXT NOT NULL,
  note        TEXT
);
CREATE INDEX backing_events_by_backing ON backing_events (backing_id);

ALTER TABLE resolutions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE resolutions ADD COLUMN error TEXT;

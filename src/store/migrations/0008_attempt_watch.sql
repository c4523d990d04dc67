-- 0008: exactly once against real Solana RPCs (issue 11). Every attempt ever signed is watched until it provably
-- expires or lands, so each attempt keeps what was learnt about it: the slot of the bank its blockhash came from (an
-- expiry proof needs to see back to it), evidence that it reached a node ("already processed", a status), the slot
-- it landed in, and its own report (a second transfer of one intent is reported too, never dropped).

ALTER TABLE backing_attempts ADD COLUMN signed_slot INTEGER;
ALTER TABLE backing_attempts ADD COLUMN evidence TEXT;          -- null | already-processed | status: never expired then
ALTER TABLE backing_attempts ADD COLUMN landed_slot INTEGER;
ALTER TABLE backing_attempts ADD COLUMN reported_at TEXT;
ALTER TABLE backing_attempts ADD COLUMN report_json TEXT;
-- 'superseded' (0005's adoption) no longer ends the watch: such attempts are pending again until proven.
UPDATE backing_attempts SET outcome = 'pending' WHERE outcome = 'superseded';
-- The reported attempt of a reported row is reported.
UPDATE backing_attempts SET reported_at = (SELECT reported_at FROM backings b WHERE b.signature = backing_attempts.signature)
  WHERE signature IN (SELECT signature FROM backings WHERE state = 'reported' AND signature IS NOT NULL);

-- At most one live intent in flight per (wallet, narrative): even a bug cannot open a second one beside it.
CREATE UNIQUE INDEX backings_one_in_flight ON backings (wallet, narrative_id)
  WHERE dry_run = 0 AND state IN ('intent', 'signed', 'sent', 'confirmed');

-- Verdicts: one row per narrative per ledger (dry-run and live apart), so a dry run never stands in for a live verdict.
CREATE TABLE resolutions_0008 (
  id            INTEGER PRIMARY KEY,
  narrative_id  TEXT NOT NULL,
  resolution    TEXT NOT NULL,             -- true | false
  confidence    REAL NOT NULL,
  evidence      TEXT NOT NULL,
  state         TEXT NOT NULL,             -- intent | submitted | accepted | rejected | simulated
  dry_run       INTEGER NOT NULL,
  response_json TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  error         TEXT,
  UNIQUE (narrative_id, dry_run)
);
INSERT INTO resolutions_0008 (id, narrative_id, resolution, confidence, evidence, state, dry_run, response_json, created_at, updated_at, attempts, error)
  SELECT id, narrative_id, resolution, confidence, evidence, state, dry_run, response_json, created_at, updated_at, attempts, error FROM resolutions;
DROP TABLE resolutions;
ALTER TABLE resolutions_0008 RENAME TO resolutions;

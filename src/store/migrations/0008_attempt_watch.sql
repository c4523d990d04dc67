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

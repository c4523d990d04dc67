-- 0003: outcomes of narratives as the agent learned them (feed, portfolio, recordings or the simulator), so that
-- dry-run positions settle with profit and loss and each strategy's forecasts can be scored.

CREATE TABLE outcomes (
  narrative_id  TEXT PRIMARY KEY,
  outcome       TEXT NOT NULL CHECK (outcome IN ('true', 'false', 'refund')),
  resolved_at   TEXT,
  source        TEXT NOT NULL,          -- feed | portfolio | recording | simulator
  recorded_at   TEXT NOT NULL
);

-- The narrative's oracle status when each opinion was given: calibration scores only forecasts made while the
-- narrative was still open for backing, not after its deadline.
ALTER TABLE opinions ADD COLUMN oracle_status TEXT;
CREATE INDEX backings_unsettled ON backings (narrative_id) WHERE outcome IS NULL;

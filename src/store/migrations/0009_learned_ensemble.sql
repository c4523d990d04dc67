-- 0009: forecasts measured and learned from (issue 17). The learning ensemble samples every strategy's forecast at
-- decision times (about hourly per open narrative) and keeps them until the narrative settles; settled samples
-- (outcome 1 TRUE, 0 FALSE; refunds are deleted) are what the weights and calibrators are fitted on, so they survive
-- restarts. The weights last fitted are kept whole for `status`. Magus answers are cached per narrative version
-- across restarts (the daily credit cap goes to new questions) and exported with recordings for backtests.
CREATE TABLE forecast_samples (
  id             INTEGER PRIMARY KEY,
  narrative_id   TEXT NOT NULL,
  category       TEXT NOT NULL,
  t              INTEGER NOT NULL,         -- decision time, ms since the epoch
  forecasts_json TEXT NOT NULL,            -- {"strategy": [p_true, confidence], ...}
  outcome        INTEGER                   -- NULL while the narrative is unsettled
);
CREATE INDEX forecast_samples_by_narrative ON forecast_samples (narrative_id);

CREATE TABLE ensemble_weights (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  updated_at TEXT,
  view_json  TEXT NOT NULL
);

CREATE TABLE magus_answers (
  id           INTEGER PRIMARY KEY,
  narrative_id TEXT NOT NULL,
  version      TEXT NOT NULL,              -- what was asked about: prompt version, title, thesis, status
  asked_at     TEXT NOT NULL,
  p_true       REAL NOT NULL,
  confidence   REAL NOT NULL,
  verdict      TEXT NOT NULL,              -- true | false | unsure
  reasoning    TEXT NOT NULL,
  credits      INTEGER NOT NULL
);
CREATE INDEX magus_answers_by_narrative ON magus_answers (narrative_id, id);

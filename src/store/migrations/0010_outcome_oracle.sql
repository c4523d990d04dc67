-- 0010: the oracle's confidence in an outcome and the sources it weighed (GET /v1/oracle/:narrativeId, PROTOCOL.md
-- section 9), recorded with the outcome so reports can show how sure the settlement was. Null where the source did not
-- say (the feed, a recording).

ALTER TABLE outcomes ADD COLUMN confidence REAL;
ALTER TABLE outcomes ADD COLUMN sources_json TEXT;    -- [{name, weight, value}], as the oracle listed them

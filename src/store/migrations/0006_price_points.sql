-- 0006: the prices strategies saw, so an exported recording carries them and backtests of real runs can price
-- narratives the way the live agent did.
CREATE TABLE price_points (
  asset  TEXT NOT NULL,
  t      TEXT NOT NULL,
  price  REAL NOT NULL,
  PRIMARY KEY (asset, t)
);
CREATE INDEX price_points_by_time ON price_points (t);

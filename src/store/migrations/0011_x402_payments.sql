-- 0011: x402 pay-per-call (issue 15). One row per 402 the agent met: what was asked (the challenge as received),
-- what it chose to pay (amount in the asset's atomic units, as text: it can exceed 2^53), to whom, for which
-- resource, and what came of it. A row is written 'signed' before the paid request leaves, so a crash between
-- signing and the answer still counts against the daily cap. (0009 and 0010 are numbers kept for other branches.)
CREATE TABLE IF NOT EXISTS x402_payments (
  id               INTEGER PRIMARY KEY,
  at               TEXT NOT NULL,
  route            TEXT NOT NULL,
  resource         TEXT,
  x402_version     INTEGER,
  network          TEXT,
  asset            TEXT,
  pay_to           TEXT,
  amount           TEXT,                 -- atomic units
  usd              REAL NOT NULL DEFAULT 0,
  state            TEXT NOT NULL,        -- signed | settled | failed | refused
  reason           TEXT,                 -- why it was refused or failed
  challenge_json   TEXT,
  response_json    TEXT,                 -- the decoded PAYMENT-RESPONSE / X-PAYMENT-RESPONSE
  tx               TEXT,
  settled_at       TEXT
);
CREATE INDEX IF NOT EXISTS x402_payments_at ON x402_payments (at);

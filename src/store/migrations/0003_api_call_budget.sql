-- The client's own rate budget left after each API call, beside the server's x-ratelimit-remaining: the two
-- together show how far below the limit the agent runs.
ALTER TABLE api_calls ADD COLUMN budget_remaining INTEGER;

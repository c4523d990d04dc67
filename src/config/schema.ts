// The configuration's schema (INTERFACE.md "Configuration"). Strict: an unknown key is an error, never ignored.
// Unsafe values fail with a message that names the key and the fix.
import { PAYOUT_RULES } from '../core/payout.js';
import { isIP } from 'node:net';
import cron from 'node-cron';
import { z } from 'zod';
import { MAX_SOL } from '../core/money.js';

export const ALERT_EVENTS = ['backing', 'verdict', 'gate', 'unreachable', 'balance', 'stuck', 'fatal', 'daily', 'pause'] as const;

const url = z.string().url('must be a URL such as http://127.0.0.1:8080');
const nonNegative = (what: string) => z.number().min(0, `${what} cannot be negative`);
const port = z.number().int().min(0).max(65535);
/** The longest wait a timer holds, in seconds (2^31 − 1 ms): a duration above it would fire at once, over and over. */
export const MAX_DURATION_SECONDS = 2_147_483;
const seconds = (what: string) => z.number().max(MAX_DURATION_SECONDS, `${what} above ${MAX_DURATION_SECONDS} s (24.8 days) is longer than a timer can wait; use a shorter one (or poll.cron for rare ticks)`);
/** An amount of SOL the agent turns into lamports (int64): above MAX_SOL it is not money but a typo. */
const solAmount = (what: string) => nonNegative(what).max(MAX_SOL, `${what} above ${MAX_SOL} SOL is more than lamports in int64 can hold; give a real amount`);
/** An address of this machine to listen on: an IP literal (0.0.0.0 or :: for all) or localhost, never a name to resolve. */
const bindAddress = z.string().min(1).refine((s) => isIP(s) !== 0 || s === 'localhost', 'must be an IP address of this machine, e.g. 127.0.0.1 (or 0.0.0.0 to listen on all)');

const base58Address = (what: string) => z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, `${what} must be a base58 Solana address`);
/** Weights are relative; a bound keeps the weighted sums of the pool finite. */
export const MAX_STRATEGY_WEIGHT = 1_000_000;

const strategyEntry = z
  .strictObject({
    name: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    weight: z.number().min(0, 'a strategy weight cannot be negative').max(MAX_STRATEGY_WEIGHT, `a strategy weight above ${MAX_STRATEGY_WEIGHT} overflows the pooled forecast; weights are relative, e.g. 0.5, 1, 2`).default(1),
    timeoutMs: z.number().int().min(10).max(300_000).default(5_000),
    /** A plug-in (path) runs in a worker thread with this heap limit (default 128 MB); ignored for built-ins. */
    memoryMb: z.number().int().min(16).max(4_096).optional(),
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((s) => (s.name === undefined) !== (s.path === undefined), {
    message: 'give either "name" (a built-in strategy) or "path" (a .js/.mjs file), not both and not neither',
  });

const rateRule = z.strictObject({
  limit: z.number().int().min(1, 'a rate limit must allow at least one call'),
  windowSeconds: seconds('a rate limit window').positive(),
});

export const configSchema = z.strictObject({
  api: z.strictObject({
    url,
    timeoutMs: z.number().int().min(100).max(120_000),
    /** The key's tier: sizes the per-key budgets (free 60, pro 300, enterprise 1,000 a minute). */
    tier: z.enum(['free', 'pro', 'enterprise']),
    /** Fraction of every limit the agent leaves unused. */
    safetyMargin: z.number().min(0).max(0.9, 'api.safetyMargin above 0.9 leaves almost no budget'),
    /** Per-family overrides of the documented limits (feed, public, backing, register, agent). */
    rateLimits: z.strictObject({
      feed: rateRule.optional(),
      public: rateRule.optional(),
      backing: rateRule.optional(),
      register: rateRule.optional(),
      agent: rateRule.optional(),
    }),
    /** key: the agent API key (registered once); x402: no key, the feed is paid per call (seed 004; see x402). */
    auth: z.enum(['key', 'x402']),
  }),
  rpc: z.strictObject({
    url,
    commitment: z.enum(['processed', 'confirmed', 'finalized']),
    timeoutMs: z.number().int().min(100).max(120_000),
  }),
  wallet: z.strictObject({ keypairPath: z.string().min(1).nullable() }),
  dataDir: z.string().min(1),
  agent: z.strictObject({ name: z.string().min(1).max(64), description: z.string().max(500) }),
  poll: z.strictObject({
    intervalSeconds: seconds('poll.intervalSeconds').min(2, 'below 2 s the feed and status reads would exceed the documented rate limits'),
    cron: z.string().min(1).nullable(),
    jitterSeconds: seconds('poll.jitterSeconds').min(0, 'poll.jitterSeconds cannot be negative'),
    minGapSeconds: seconds('poll.minGapSeconds').min(1, 'early ticks closer than 1 s apart would burn the feed budget'),
  }),
  strategies: z.array(strategyEntry).min(1, 'configure at least one strategy, e.g. [{"name": "crowd"}]'),
  risk: z.strictObject({
    minStakeSol: z.number().min(0.001, 'the protocol minimum is 0.001 SOL per backing'),
    maxStakeSol: z.number().positive().max(10, 'the protocol maximum is 10 SOL per backing'),
    maxDailySol: solAmount('risk.maxDailySol'),
    maxOpenPositions: z.number().int().min(0, 'risk.maxOpenPositions cannot be negative'),
    maxExposureSol: solAmount('risk.maxExposureSol'),
    maxCategoryExposureSol: solAmount('risk.maxCategoryExposureSol').nullable(),
    kellyFraction: z.number().min(0).max(1, 'above 1 is more than full Kelly: use 0.1–0.5'),
    minEdge: nonNegative('risk.minEdge').max(1),
    minBalanceSol: solAmount('risk.minBalanceSol'),
    scaleIn: z.boolean(),
  }),
  resolution: z.strictObject({
    enabled: z.boolean(),
    minConfidence: z.number().min(0.7, 'the protocol rejects verdicts below 0.7 confidence').max(1),
    allowOwnPositions: z.boolean(),
  }),
  payout: z.strictObject({
    rule: z.enum(PAYOUT_RULES),
    trueGainRate: nonNegative('payout.trueGainRate').max(10).optional(),
    trueFeeRate: nonNegative('payout.trueFeeRate').max(1).optional(),
    falseLossRate: nonNegative('payout.falseLossRate').max(1).optional(),
  }),
  backing: z.strictObject({
    programId: z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'must be a base58 program id'),
    /** Compute units the transaction may use (back_narrative needs a few tens of thousands). */
    computeUnitLimit: z.number().int().min(1_000).max(1_400_000),
    /** Priority fee in micro-lamports per compute unit (fee = limit × price / 10^6 lamports). */
    priorityFeeMicroLamports: z.number().int().min(0).max(10_000_000, 'above 10,000,000 micro-lamports per unit the fee gets silly'),
    /** How often a transaction in flight is polled (getSignatureStatuses, getBlockHeight) and its bytes resent. */
    pollMs: z.number().int().min(10).max(60_000),
    resendMs: z.number().int().min(10).max(60_000),
    /** How long one tick waits for a backing to confirm and be reported; what is left resumes on the next tick. */
    confirmTimeoutSeconds: z.number().min(1).max(900),
    /** How many times one intent may be signed (each new signing only after the previous one provably expired). */
    maxSignings: z.number().int().min(1).max(10),
    /** Backings per minute per wallet (the documented limit is ~10). */
    maxPerMinute: z.number().int().min(1).max(10, 'MAGMA allows about 10 backings a minute per wallet'),
    /** Slots back from its answer that any RPC node is trusted to know a status (a node without history keeps ~300). */
    statusWindowSlots: z.number().int().min(0).max(1_000_000),
    /** Send, confirm and report beside the tick loop (the tick never waits on the chain); off: within the tick. */
    background: z.boolean(),
  }),
  webhook: z.strictObject({
    enabled: z.boolean(),
    publicUrl: url.nullable(),
    bind: bindAddress,
    port,
  }),
  metrics: z.strictObject({ enabled: z.boolean(), bind: bindAddress, port }),
  /** Notifications (issue 14): POSTed to alerts.url in the chosen format, de-duplicated and rate-limited. */
  alerts: z.strictObject({
    url: z.string().url('must be an http(s) URL: your receiver, a Slack or Discord webhook, or a Telegram relay').refine((u) => /^https?:/i.test(u), 'must be an http(s) URL').nullable(),
    format: z.enum(['json', 'slack', 'discord', 'telegram']),
    events: z.array(z.enum(ALERT_EVENTS)).min(1, 'name at least one event, or set alerts.url to null'),
    /** API or RPC unanswered for this long before an alert. */
    unreachableMinutes: z.number().min(1).max(1440),
    /** At most this many alerts an hour; the rest are dropped (counted in the next one sent). */
    maxPerHour: z.number().int().min(1).max(600),
  }),
  prices: z.strictObject({
    source: z.enum(['coingecko', 'pyth', 'sim']),
    url,
    maxAgeSeconds: seconds('prices.maxAgeSeconds').min(1),
    apiKey: z.string().min(1).nullable(),
  }),
  /** x402 pay-per-call (PROTOCOL.md 7): what the agent may pay when a MAGMA route answers 402. 0 = never pay. */
  x402: z.strictObject({
    maxPerCallUsd: nonNegative('x402.maxPerCallUsd').max(1_000, 'x402.maxPerCallUsd above 1,000 USD per call is not a read price; give a real cap'),
    maxPerDayUsd: nonNegative('x402.maxPerDayUsd').max(100_000, 'x402.maxPerDayUsd above 100,000 USD a day is not a cap; give a real one'),
    /** USD stablecoins the agent pays with (1 token = 1 USD): mint address and decimals. */
    allowedAssets: z.array(z.strictObject({
      asset: base58Address('x402.allowedAssets[].asset'),
      decimals: z.number().int().min(0).max(18),
      symbol: z.string().min(1).max(16).optional(),
    })),
    /** CAIP-2 network ids (solana:<genesis hash prefix>), e.g. solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp for mainnet. */
    allowedNetworks: z.array(z.string().regex(/^solana:[1-9A-HJ-NP-Za-km-z]{32}$/, 'must be a CAIP-2 Solana id such as solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp (mainnet)')),
    allowedPayees: z.array(base58Address('x402.allowedPayees[]')),
    /** The RPC the payment builder reads the mint and a blockhash from; null: rpc.url. */
    rpcUrl: url.nullable(),
  }),
  magus: z.strictObject({
    url: url.nullable(),
    apiKey: z.string().min(1).nullable(),
    dailyCreditCap: nonNegative('magus.dailyCreditCap'),
  }),
  sim: z.strictObject({
    seed: z.number().int().min(0),
    speed: z.number().positive().max(100_000),
    fundSol: solAmount('sim.fundSol'),
    tier: z.enum(['free', 'pro', 'enterprise']),
  }),
  log: z.strictObject({
    level: z.enum(['error', 'warn', 'info', 'debug']),
    format: z.enum(['auto', 'json', 'pretty']),
  }),
  store: z.strictObject({
    /** Snapshots, opinions, skip decisions, feed polls, API and Magus call rows older than this are pruned. */
    retainDays: z.number().min(3, 'store.retainDays below 3 days would prune the history strategies read').max(36_500),
    /** How far back (hours) a strategy that does not say may read a narrative's history; kept in memory. */
    historyHours: z.number().min(1).max(720),
  }),
  dryRun: z.boolean(),
}).superRefine((c, ctx) => {
  if (c.webhook.enabled && !c.webhook.publicUrl) {
    ctx.addIssue({ code: 'custom', path: ['webhook', 'publicUrl'], message: 'webhook.enabled needs the public https URL MAGMA can reach (a proxy in front of webhook.bind:webhook.port)' });
  }
  if (c.risk.minStakeSol > c.risk.maxStakeSol) {
    ctx.addIssue({ code: 'custom', path: ['risk', 'minStakeSol'], message: `above risk.maxStakeSol (${c.risk.maxStakeSol}): no stake could ever be placed; lower it or raise risk.maxStakeSol` });
  }
  if (c.api.auth === 'x402' && (c.x402.maxPerCallUsd === 0 || c.x402.maxPerDayUsd === 0)) {
    ctx.addIssue({ code: 'custom', path: ['api', 'auth'], message: 'x402 reads the feed by paying per call: set x402.maxPerCallUsd and x402.maxPerDayUsd above 0, and list MAGMA\'s payee in x402.allowedPayees (or use api.auth "key")' });
  }
  if (c.x402.maxPerCallUsd > 0 && c.x402.maxPerDayUsd > 0 && c.x402.maxPerCallUsd > c.x402.maxPerDayUsd) {
    ctx.addIssue({ code: 'custom', path: ['x402', 'maxPerCallUsd'], message: `above x402.maxPerDayUsd (${c.x402.maxPerDayUsd}): no call at that price could be paid; lower it or raise the daily cap` });
  }
  if (c.poll.cron !== null && !cron.validate(c.poll.cron)) {
    ctx.addIssue({ code: 'custom', path: ['poll', 'cron'], message: 'not a valid cron expression; use five fields, e.g. "*/2 * * * *", or null for poll.intervalSeconds' });
  }
});

export type Config = z.infer<typeof configSchema>;
export type StrategyEntry = Config['strategies'][number];

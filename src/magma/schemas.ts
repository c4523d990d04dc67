// Wire schemas for MAGMA responses. They tolerate unknown fields (the API grows additively) and missing optional
// ones, and reject what cannot be used: a narrative without an id, a stake that is not a number.
import { z } from 'zod';
import { MAX_SOL, solToLamports } from '../core/money.js';
import type { Narrative } from '../core/narrative.js';
import { fastFeedItem } from './feed-item-fast.js';
import type {
  AgentRank, Conviction, DroppedItem, FeedResult, Position, PointsEntry, PointsRank, WalletFlag,
} from '../ports/magma-api.js';

const MAX_TEXT = 4_000;
/** The schema's bound on a feed item's total_backed_sol (the fast reader applies the same). */
export const MAX_TOTAL_SOL = MAX_SOL;
/** The feed documents up to 50 items; ten times that is the most one poll may bring (the rest is dropped, counted). */
export const MAX_FEED_ITEMS = 500;
/** One feed item, as the store keeps it (raw JSON): bounded in nesting and in size before anything reads it. */
export const MAX_ITEM_DEPTH = 32;
export const MAX_ITEM_BYTES = 64 * 1024;
const text = (fallback: string) =>
  z.preprocess((v) => (v === null || v === undefined ? fallback : v), z.string()).transform((s) => (s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s));
const count = z.preprocess((v) => (v === null || v === undefined ? 0 : v), z.number().int().min(0).max(1e9));

export const feedItemSchema = z.looseObject({
  id: z.string().trim().min(1, 'has no id').max(128, 'id longer than 128 characters'),
  title: text(''),
  thesis: text(''),
  category: text('UNCATEGORISED'),
  oracle_status: z.string().min(1).max(64),
  total_backed_sol: z.preprocess((v) => (v === null || v === undefined ? 0 : v),
    z.number({ error: 'total_backed_sol is not a number' }).finite().min(0).max(MAX_SOL, `total_backed_sol above ${MAX_SOL} SOL, more than lamports in int64 can hold`)),
  backer_count: count,
  challenge_count: count,
  created_at: z.string().max(64).optional(),
});

export function toNarrative(item: z.infer<typeof feedItemSchema>): Narrative {
  return {
    id: item.id,
    title: item.title,
    thesis: item.thesis,
    category: item.category,
    oracleStatus: item.oracle_status,
    totalBackedLamports: solToLamports(item.total_backed_sol),
    backerCount: item.backer_count,
    challengeCount: item.challenge_count,
    createdAt: item.created_at ?? '',
  };
}

export function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'item'}: ${i.message}`).join('; ');
}

/**
 * Why a raw item is too deep or too large to keep (its JSON is stored as received), or null. Walks without recursion
 * and stops at the first limit crossed, so a 100,000-deep or huge item costs no more than the limits.
 */
export function rawItemProblem(raw: unknown, maxDepth = MAX_ITEM_DEPTH, maxBytes = MAX_ITEM_BYTES): string | null {
  const stack: Array<[unknown, number]> = [[raw, 1]];
  let bytes = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') bytes += v.length + 2;
    else if (v === null || typeof v !== 'object') bytes += 8;
    else {
      if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
      bytes += 2;
      if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
      else for (const k of Object.keys(v)) {
        bytes += k.length + 3;
        stack.push([(v as Record<string, unknown>)[k], depth + 1]);
      }
    }
    if (bytes > maxBytes) return `larger than ${maxBytes} bytes`;
  }
  return null;
}

/** Parses a feed body item by item: a bad item is dropped with its reason and the rest go on. */
export function parseFeed(body: unknown): FeedResult | null {
  const all = (body as { narratives?: unknown } | null)?.narratives;
  if (!Array.isArray(all)) return null;
  const seen = new Set<string>();
  const narratives: FeedResult['narratives'] = [];
  const dropped: DroppedItem[] = [];
  const list = all.length > MAX_FEED_ITEMS ? all.slice(0, MAX_FEED_ITEMS) : all;
  list.forEach((raw, index) => {
    const rawId = typeof (raw as { id?: unknown })?.id === 'string' ? String((raw as { id: string }).id).slice(0, 128) : null;
    const problem = rawItemProblem(raw);
    if (problem) {
      dropped.push({ index, id: rawId, reason: `item ${problem}: not stored` });
      return;
    }
    // Most items are already what the schema would make of them: read those directly (the same result).
    const fast = fastFeedItem(raw, MAX_TOTAL_SOL);
    if (fast) {
      if (seen.has(fast.id)) dropped.push({ index, id: fast.id, reason: 'duplicate id in the same feed' });
      else {
        seen.add(fast.id);
        narratives.push({ narrative: fast, raw });
      }
      return;
    }
    const parsed = feedItemSchema.safeParse(raw);
    if (!parsed.success) {
      dropped.push({ index, id: rawId, reason: describe(parsed.error) });
      return;
    }
    if (seen.has(parsed.data.id)) {
      dropped.push({ index, id: parsed.data.id, reason: 'duplicate id in the same feed' });
      return;
    }
    seen.add(parsed.data.id);
    narratives.push({ narrative: toNarrative(parsed.data), raw });
  });
  // One entry for the whole overflow (not one warning per item): the feed documents at most 50 narratives.
  if (all.length > MAX_FEED_ITEMS) {
    dropped.push({ index: MAX_FEED_ITEMS, id: null, reason: `${all.length - MAX_FEED_ITEMS} items past the first ${MAX_FEED_ITEMS} dropped: a poll keeps at most ${MAX_FEED_ITEMS} narratives` });
  }
  return { narratives, dropped };
}

export const systemStatusSchema = z.looseObject({
  operational: z.boolean().optional(),
  halted_components: z.array(z.string()).optional(),
  components: z.array(z.looseObject({ component: z.string(), is_halted: z.boolean() })).optional(),
});

export const termsStatusSchema = z.looseObject({
  accepted: z.boolean(),
  latest: z.looseObject({ terms_version: z.union([z.string(), z.number()]).nullish() }).nullish(),
});

export const registerResponseSchema = z.looseObject({
  agent: z.looseObject({
    id: z.string().min(1),
    api_key: z.string().min(8),
    name: z.string().optional(),
    wallet_address: z.string().optional(),
    created_at: z.string().optional(),
  }),
});

// ---- shared pieces for the other routes -------------------------------------------------------------------------

/** Numbers sometimes arrive as decimal strings; anything else that is not a finite number is refused. */
const numeric = (what: string) =>
  z.preprocess((v) => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
    z.number({ error: `${what} is not a number` }).finite());
const optNumber = (what: string) => numeric(what).nullish().transform((v) => v ?? null);
const optText = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string().max(MAX_TEXT).nullish()).transform((v) => v ?? null);
const id = (what: string) =>
  z.preprocess((v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v),
    z.string({ error: `${what} is missing` }).trim().min(1, `${what} is empty`).max(128, `${what} longer than 128 characters`));
/** SOL on the wire → lamports inside; |amount| above what int64 lamports hold is corruption, not money. */
const sol = (what: string, min: number) => numeric(what).refine((v) => v >= min && Math.abs(v) <= MAX_SOL, `${what} out of range (more than lamports in int64 can hold)`).transform(solToLamports);

/** Parses a list item by item: a bad item is dropped with its reason, the rest go on. */
export function parseList<S extends z.ZodType, T>(list: unknown, schema: S, map: (item: z.infer<S>) => T): { items: T[]; dropped: DroppedItem[] } | null {
  if (!Array.isArray(list)) return null;
  const items: T[] = [];
  const dropped: DroppedItem[] = [];
  list.forEach((raw, index) => {
    const parsed = schema.safeParse(raw);
    const rawId = (raw as { id?: unknown } | null)?.id;
    if (!parsed.success) {
      dropped.push({ index, id: typeof rawId === 'string' ? rawId.slice(0, 128) : null, reason: describe(parsed.error) });
      return;
    }
    items.push(map(parsed.data));
  });
  return { items, dropped };
}

export const positionSchema = z.looseObject({
  id: id('id'),
  narrative_id: id('narrative_id'),
  amount_sol: sol('amount_sol', 0),
  usd_equivalent: optNumber('usd_equivalent'),
  yield_type: optText,
  created_at: optText,
  narratives: z.looseObject({ title: optText, oracle_status: optText }).nullish().catch(null),
});

export function toPosition(p: z.infer<typeof positionSchema>): Position {
  return {
    id: p.id,
    narrativeId: p.narrative_id,
    amountLamports: p.amount_sol,
    usdEquivalent: p.usd_equivalent,
    yieldType: p.yield_type,
    createdAt: p.created_at ?? '',
    narrativeTitle: p.narratives?.title ?? null,
    oracleStatus: p.narratives?.oracle_status ?? null,
  };
}

export const agentRankSchema = z.looseObject({
  id: id('id'),
  name: text(''),
  wallet_address: optText,
  total_backings: count,
  total_volume_sol: sol('total_volume_sol', 0),
  total_pnl_sol: sol('total_pnl_sol', -MAX_SOL),
  created_at: optText,
});

export function toAgentRank(a: z.infer<typeof agentRankSchema>): AgentRank {
  return {
    id: a.id, name: a.name, walletAddress: a.wallet_address, totalBackings: a.total_backings,
    totalVolumeLamports: a.total_volume_sol, totalPnlLamports: a.total_pnl_sol, createdAt: a.created_at ?? '',
  };
}

export const webhookResponseSchema = z.looseObject({
  url: z.string().max(2048).optional(),
  events: z.array(z.string().max(128)).max(64).optional(),
  message: optText,
});

export const resolveResponseSchema = z.looseObject({
  narrative_id: id('narrative_id').optional(),
  resolution: z.enum(['resolved_true', 'resolved_false']),
  message: optText,
});

export const convictionSchema = z.looseObject({
  conviction_score: numeric('conviction_score'),
  conviction_tier: optText,
  yield_multiplier: optNumber('yield_multiplier'),
  correct_backings: count,
  incorrect_backings: count,
  accuracy_rate: optNumber('accuracy_rate'),
  current_streak: z.preprocess((v) => (v === null || v === undefined ? 0 : v), z.number().int().min(-1e9).max(1e9)),
});

export function toConviction(c: z.infer<typeof convictionSchema>): Conviction {
  return {
    score: c.conviction_score, tier: c.conviction_tier, yieldMultiplier: c.yield_multiplier, correctBackings: c.correct_backings,
    incorrectBackings: c.incorrect_backings, accuracyRate: c.accuracy_rate, currentStreak: c.current_streak,
  };
}

export const pointsSchema = z.looseObject({
  wallet_address: optText,
  total_points: numeric('total_points'),
  history: z.unknown().optional(),
});

export const pointsEntrySchema = z.looseObject({ points: numeric('points'), reason: optText, created_at: optText });

export function toPointsEntry(e: z.infer<typeof pointsEntrySchema>): PointsEntry {
  return { points: e.points, reason: e.reason, createdAt: e.created_at };
}

export const pointsRankSchema = z.looseObject({
  wallet_address: z.string().min(1).max(128),
  total_points: numeric('total_points'),
  rank: optNumber('rank'),
});

export function toPointsRank(r: z.infer<typeof pointsRankSchema>, index: number): PointsRank {
  return { walletAddress: r.wallet_address, totalPoints: r.total_points, rank: r.rank ?? index + 1 };
}

export const walletFlagSchema = z.looseObject({
  wallet_address: optText,
  flagged: z.boolean(),
  blocked: z.boolean(),
  flag_type: optText,
  reason: optText,
});

export function toWalletFlag(f: z.infer<typeof walletFlagSchema>, wallet: string): WalletFlag {
  return { walletAddress: f.wallet_address ?? wallet, flagged: f.flagged, blocked: f.blocked, flagType: f.flag_type, reason: f.reason };
}

/** The preview's fields are undocumented: an estimate in SOL is recognised under the names seen in the wild. */
export function echoPoolEstimate(raw: Record<string, unknown>): bigint | null {
  for (const key of ['estimated_sol', 'estimated_distribution_sol', 'estimated_share_sol', 'estimated_payout_sol', 'amount_sol']) {
    const v = raw[key];
    const n = typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= MAX_SOL) return solToLamports(n);
  }
  return null;
}

export const backingReportResponseSchema = z.looseObject({ ok: z.boolean().optional(), message: optText }).refine((r) => r.ok !== false, 'ok is false');

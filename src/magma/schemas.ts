// Wire schemas for MAGMA responses. They tolerate unknown fields (the API grows additively) and missing optional
// ones, and reject what cannot be used: a narrative without an id, a stake that is not a number.
import { z } from 'zod';
import { solToLamports } from '../core/money.js';
import type { Narrative } from '../core/narrative.js';
import type { DroppedItem, FeedResult } from '../ports/magma-api.js';

const MAX_TEXT = 4_000;
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
    z.number({ error: 'total_backed_sol is not a number' }).finite().min(0).max(1e12)),
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

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'item'}: ${i.message}`).join('; ');
}

/** Parses a feed body item by item: a bad item is dropped with its reason and the rest go on. */
export function parseFeed(body: unknown): FeedResult | null {
  const list = (body as { narratives?: unknown } | null)?.narratives;
  if (!Array.isArray(list)) return null;
  const seen = new Set<string>();
  const narratives: FeedResult['narratives'] = [];
  const dropped: DroppedItem[] = [];
  list.forEach((raw, index) => {
    const parsed = feedItemSchema.safeParse(raw);
    const rawId = typeof (raw as { id?: unknown })?.id === 'string' ? String((raw as { id: string }).id).slice(0, 128) : null;
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

// Wire readers for the per-narrative public reads (PROTOCOL.md section 9): the narrative (flat or wrapped as
// {narrative}), its oracle result, and its backers. Every field but the id and a status is optional and read leniently
// (the public texts list more fields than any one answer carries); what cannot be used is null, never guessed.
import { MAX_SOL, solToLamports } from '../core/money.js';
import type { NarrativeBacker, NarrativeDetail, OracleResult, OracleSource } from '../ports/magma-api.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, max = 256): string | null => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null);
function num(v: unknown): number | null {
  const n = typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}
/** A confidence may come as 0–1 or as a percentage (0–100): both read as 0–1. */
function confidence(v: unknown): number | null {
  const n = num(v);
  if (n === null || n < 0) return null;
  if (n <= 1) return n;
  return n <= 100 ? n / 100 : null;
}
function lamports(v: unknown): bigint | null {
  const n = num(v);
  return n === null || n < 0 || n > MAX_SOL ? null : solToLamports(n);
}

/** The narrative of a `GET /v1/narratives/:id` answer, or null when it has no id or no status. */
export function parseNarrativeDetail(body: unknown): NarrativeDetail | null {
  const n = isObj(body) && isObj(body.narrative) ? body.narrative : body;
  if (!isObj(n)) return null;
  const id = str(n.id, 128);
  const status = str(n.oracle_status, 64) ?? str(n.status, 64);
  if (!id || !status) return null;
  const count = num(n.backer_count);
  return {
    id, status,
    isFinal: typeof n.is_final === 'boolean' ? n.is_final : null,
    challengeWindowClosesAt: str(n.challenge_window_closes_at, 64),
    resolvedAt: str(n.resolved_at, 64),
    deadlineAt: str(n.deadline_at, 64),
    resolutionDate: str(n.resolution_date, 64),
    confidence: confidence(n.confidence),
    sourcesUsed: n.sources_used ?? null,
    truePoolUsd: num(n.true_pool_usd),
    falsePoolUsd: num(n.false_pool_usd),
    totalBackedLamports: lamports(n.total_backed_sol),
    backerCount: count !== null && Number.isInteger(count) && count >= 0 ? count : null,
  };
}

/** A `GET /v1/oracle/:narrativeId` answer, or null when it carries no TRUE/FALSE result. */
export function parseOracleResult(body: unknown, narrativeId: string): OracleResult | null {
  const o = isObj(body) && isObj(body.oracle_result) ? body.oracle_result : body;
  if (!isObj(o)) return null;
  const raw = typeof o.result === 'string' ? o.result.toUpperCase() : typeof o.result === 'boolean' ? (o.result ? 'TRUE' : 'FALSE') : null;
  if (raw !== 'TRUE' && raw !== 'FALSE') return null;
  const sources: OracleSource[] = [];
  if (Array.isArray(o.sources)) {
    for (const s of o.sources.slice(0, 50)) {
      if (!isObj(s)) continue;
      const name = str(s.name, 128);
      if (name) sources.push({ name, weight: num(s.weight), value: typeof s.value === 'string' ? s.value.slice(0, 256) : s.value ?? null });
    }
  }
  return { narrativeId: str(o.narrative_id, 128) ?? narrativeId, result: raw, confidence: confidence(o.confidence), sources, resolvedAt: str(o.resolved_at, 64) };
}

/** The backers of a `GET /v1/narratives/:id/backers` answer (items without a wallet or an amount are left out). */
export function parseBackers(body: unknown): NarrativeBacker[] | null {
  const list = isObj(body) ? body.backers ?? body.data : Array.isArray(body) ? body : undefined;
  if (!Array.isArray(list)) return null;
  const out: NarrativeBacker[] = [];
  for (const b of list) {
    if (!isObj(b)) continue;
    const walletAddress = str(b.wallet_address, 64);
    const amount = lamports(b.amount_sol);
    if (!walletAddress || amount === null) continue;
    out.push({ walletAddress, amountLamports: amount, txSignature: str(b.tx_signature, 128), createdAt: str(b.created_at, 64) });
  }
  return out;
}

/** A page of `GET /v1/narratives` ({data, total} or, in the agents doc, {narratives}); null without a list. */
export function parseNarrativePage(body: unknown): { items: NarrativeDetail[]; total: number | null } | null {
  const list = isObj(body) ? body.data ?? body.narratives : Array.isArray(body) ? body : undefined;
  if (!Array.isArray(list)) return null;
  const items = list.slice(0, 500).flatMap((item) => parseNarrativeDetail(item) ?? []);
  const total = isObj(body) ? num(body.total) : null;
  return { items, total };
}

// A narrative as the agent reasons about it, parsed from a feed item (src/magma/schemas.ts does the parsing).

/** `running` (being scored) and `under_review` (disputed) are neither open for backing nor final (PROTOCOL.md 9). */
export const ORACLE_STATUSES = ['open', 'live', 'pending', 'running', 'under_review', 'resolved_true', 'resolved_false', 'refund'] as const;
export type OracleStatus = (typeof ORACLE_STATUSES)[number];

export interface Narrative {
  id: string;
  title: string;
  thesis: string;
  category: string;
  oracleStatus: OracleStatus | string;
  totalBackedLamports: bigint;
  backerCount: number;
  challengeCount: number;
  createdAt: string;
}

/** One earlier observation of a narrative, as the store recorded it. */
export interface NarrativeSnapshot {
  observedAt: string;
  /** observedAt in ms since the epoch (to compare and search without parsing). */
  observedMs: number;
  oracleStatus: string;
  totalBackedLamports: bigint;
  backerCount: number;
  challengeCount: number;
}

export function isOpenForBacking(n: Pick<Narrative, 'oracleStatus'>): boolean {
  return n.oracleStatus === 'open' || n.oracleStatus === 'live';
}

/** The backing program takes a narrative id only as a UUID (its 16 bytes): anything else can never be signed. */
export const NARRATIVE_UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

const backableIds = new Map<string, boolean>();

/** Asked of every narrative on every tick: each id is tested once (the cache is bounded). */
export function isBackableId(id: string): boolean {
  let ok = backableIds.get(id);
  if (ok === undefined) {
    if (backableIds.size >= 50_000) backableIds.clear();
    backableIds.set(id, (ok = NARRATIVE_UUID.test(id)));
  }
  return ok;
}

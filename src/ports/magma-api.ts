// The MAGMA API port (PROTOCOL.md sections 1–2): what the engine and commands ask of MAGMA. Money is lamports as
// bigint here; SOL numbers exist only on the wire.
import type { FeedObservation } from './store.js';

export interface SystemStatus {
  operational: boolean;
  /** Components reported halted: all | submissions | backing | withdrawals | oracle. */
  halted: string[];
}

export interface TermsStatus {
  accepted: boolean;
  termsVersion: string | null;
}

export interface DroppedItem {
  index: number;
  id: string | null;
  reason: string;
}

export interface FeedResult {
  narratives: FeedObservation[];
  /** Items that could not be used, each with why; the rest of the feed goes on. */
  dropped: DroppedItem[];
}

export interface RegisterRequest {
  walletAddress: string;
  name: string;
  description?: string;
}

export interface RegisteredAgent {
  agentId: string;
  apiKey: string;
  name: string;
  walletAddress: string;
  createdAt: string;
}

/** One backing of the agent's wallet, as portfolio and history list them. */
export interface Position {
  id: string;
  narrativeId: string;
  amountLamports: bigint;
  usdEquivalent: number | null;
  yieldType: string | null;
  createdAt: string;
  narrativeTitle: string | null;
  oracleStatus: string | null;
}

export interface PositionsResult {
  walletAddress: string | null;
  positions: Position[];
  dropped: DroppedItem[];
}

export interface AgentRank {
  id: string;
  name: string;
  walletAddress: string | null;
  totalBackings: number;
  totalVolumeLamports: bigint;
  /** Realised profit and loss; negative when the agent lost. */
  totalPnlLamports: bigint;
  createdAt: string;
}

export interface LeaderboardResult {
  leaderboard: AgentRank[];
  dropped: DroppedItem[];
}

export const WEBHOOK_EVENTS = ['narrative.created', 'narrative.resolved'] as const;

export interface WebhookRegistration {
  url: string;
  events: string[];
  message: string | null;
}

export interface ResolveRequest {
  narrativeId: string;
  resolution: boolean;
  /** Sent truncated to 1,000 characters (the server keeps no more). */
  evidence: string;
  /** 0.7–1; below 0.7 the server answers 400, so it is refused before sending. */
  confidence: number;
}

export interface ResolveResult {
  narrativeId: string;
  resolution: 'resolved_true' | 'resolved_false';
  message: string | null;
}

export interface Conviction {
  score: number;
  tier: string | null;
  yieldMultiplier: number | null;
  correctBackings: number;
  incorrectBackings: number;
  accuracyRate: number | null;
  currentStreak: number;
}

export interface PointsEntry {
  points: number;
  reason: string | null;
  createdAt: string | null;
}

export interface Points {
  walletAddress: string;
  totalPoints: number;
  history: PointsEntry[];
  dropped: DroppedItem[];
}

export interface PointsRank {
  walletAddress: string;
  totalPoints: number;
  rank: number | null;
}

export interface PointsLeaderboardResult {
  leaderboard: PointsRank[];
  dropped: DroppedItem[];
}

/** No field of the preview is documented: what we recognise is typed, the rest kept as received. */
export interface EchoPoolPreview {
  estimatedLamports: bigint | null;
  epoch: string | null;
  /** Which path answered: the seed's, or the older docs' fallback. */
  path: string;
  raw: Record<string, unknown>;
}

export interface WalletFlag {
  walletAddress: string;
  flagged: boolean;
  /** Blocked wallets must not write. */
  blocked: boolean;
  flagType: string | null;
  reason: string | null;
}

/** The report of a confirmed backing transaction; tx_signature is its idempotency key. */
export interface BackingReport {
  narrativeId: string;
  walletAddress: string;
  amountLamports: bigint;
  txSignature: string;
}

export interface BackingReportResult {
  acknowledged: true;
  message: string | null;
}

/**
 * One narrative as `GET /v1/narratives/:id` shows it (PROTOCOL.md section 9; flat or wrapped as {narrative}). Only
 * `id` and `status` are sure to be there; every other field is null when absent.
 */
export interface NarrativeDetail {
  id: string;
  /** `oracle_status`, else `status`: pending | running | under_review | resolved_true | resolved_false | refund | … */
  status: string;
  /** null when the answer does not say (then the challenge window decides). */
  isFinal: boolean | null;
  challengeWindowClosesAt: string | null;
  resolvedAt: string | null;
  deadlineAt: string | null;
  resolutionDate: string | null;
  /** The oracle's confidence, when the read carries it. */
  confidence: number | null;
  /** `sources_used` read as sources (from names, `{name, weight, value}` items or a name → weight map); null when not a list. */
  sourcesUsed: OracleSource[] | null;
  truePoolUsd: number | null;
  falsePoolUsd: number | null;
  totalBackedLamports: bigint | null;
  backerCount: number | null;
}

/** One source the oracle weighed (`GET /v1/oracle/:narrativeId`). */
export interface OracleSource {
  name: string;
  weight: number | null;
  value: unknown;
}

export interface OracleResult {
  narrativeId: string;
  result: 'TRUE' | 'FALSE';
  confidence: number | null;
  sources: OracleSource[];
  resolvedAt: string | null;
}

/** One backing of a narrative as `GET /v1/narratives/:id/backers` lists it. */
export interface NarrativeBacker {
  walletAddress: string;
  amountLamports: bigint;
  txSignature: string | null;
  createdAt: string | null;
}

/** What the engine reads from MAGMA every tick: the feed and what the write gates need. Replays provide only this. */
export interface MagmaReadApi {
  feed(signal?: AbortSignal): Promise<FeedResult>;
  systemStatus(signal?: AbortSignal): Promise<SystemStatus>;
  termsStatus(wallet: string, signal?: AbortSignal): Promise<TermsStatus>;
  walletFlag(wallet: string, signal?: AbortSignal): Promise<WalletFlag>;
}

/** The whole Agents API as the HTTP client speaks it: the read port plus the account and write routes. */
export interface MagmaApi extends MagmaReadApi {
  /** GET /v1/health ({ok: true}): resolves when MAGMA's backend says it is up, throws otherwise (PROTOCOL.md section 9). */
  health(signal?: AbortSignal): Promise<void>;
  register(req: RegisterRequest, signal?: AbortSignal): Promise<RegisteredAgent>;
  portfolio(signal?: AbortSignal): Promise<PositionsResult>;
  history(signal?: AbortSignal): Promise<PositionsResult>;
  leaderboard(signal?: AbortSignal): Promise<LeaderboardResult>;
  registerWebhook(url: string, events: readonly string[], signal?: AbortSignal): Promise<WebhookRegistration>;
  resolve(req: ResolveRequest, signal?: AbortSignal): Promise<ResolveResult>;
  conviction(wallet: string, signal?: AbortSignal): Promise<Conviction>;
  points(wallet: string, signal?: AbortSignal): Promise<Points>;
  pointsLeaderboard(signal?: AbortSignal): Promise<PointsLeaderboardResult>;
  echoPoolPreview(wallet: string, signal?: AbortSignal): Promise<EchoPoolPreview>;
  reportBacking(report: BackingReport, signal?: AbortSignal): Promise<BackingReportResult>;
  /** GET /v1/narratives/:id (public): throws API_NOT_FOUND for a narrative MAGMA does not know. */
  narrative(narrativeId: string, signal?: AbortSignal): Promise<NarrativeDetail>;
  /** GET /v1/oracle/:narrativeId (public): null while there is no oracle result (404). */
  oracleResult(narrativeId: string, signal?: AbortSignal): Promise<OracleResult | null>;
  /**
   * GET /v1/narratives?status=&limit=&offset= (public): one page of narratives as the per-narrative read shows them
   * (items that cannot be read are left out); `total` when the answer says.
   */
  narratives(query: { status?: 'active' | 'resolved' | 'pending'; limit?: number; offset?: number }, signal?: AbortSignal): Promise<{ items: NarrativeDetail[]; total: number | null }>;
  /** GET /v1/narratives/:id/backers (public). */
  narrativeBackers(narrativeId: string, signal?: AbortSignal): Promise<NarrativeBacker[]>;
}

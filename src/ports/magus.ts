// The Magus port (PROTOCOL.md section 6): an optional LLM judge strategies may ask, and the usage store that keeps
// its daily credit cap across restarts.

export type MagusVerbosity = 'minimal' | 'standard' | 'full';

export interface MagusAttachment {
  name: string;
  contentType: string;
  /** The file's bytes; sent base64 inline. */
  data: Uint8Array;
}

export interface MagusRequest {
  content: string;
  /** Same id, same conversation: one per narrative (see sessionIdForNarrative). */
  sessionId?: string;
  verbosity?: MagusVerbosity;
  attachments?: MagusAttachment[];
}

export interface MagusReply {
  id: string | null;
  sessionId: string | null;
  conversationId: string | null;
  content: string;
  citations: unknown[];
  toolCalls: unknown[];
  promptTokens: number;
  completionTokens: number;
  /** What the call cost against the daily cap: prompt + completion tokens. */
  credits: number;
  createdAt: string | null;
}

export interface MagusCallRecord {
  at: string;
  /** UTC date (YYYY-MM-DD) the credits count against. */
  day: string;
  sessionId: string | null;
  stream: boolean;
  verbosity: MagusVerbosity | null;
  status: number | null;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  credits: number;
  errorCode: string | null;
}

export interface MagusUsageStore {
  recordMagusCall(call: MagusCallRecord): void;
  /** Credits spent on the given UTC day. */
  magusCreditsOn(day: string): number;
}

export interface Magus {
  ask(req: MagusRequest, signal?: AbortSignal): Promise<MagusReply>;
}

/** A judge's answer as kept (issue 17): in the database across restarts, and in recordings for backtests. */
export interface StoredMagusAnswer {
  narrativeId: string;
  /** judgeVersion of the narrative when asked. */
  version: string;
  askedAt: string;
  pTrue: number;
  confidence: number;
  verdict: 'true' | 'false' | 'unsure';
  reasoning: string;
  credits: number;
}

export interface MagusAnswerStore {
  /** The newest answer kept for a narrative, or null. */
  latestMagusAnswer(narrativeId: string): StoredMagusAnswer | null;
  recordMagusAnswer(answer: StoredMagusAnswer): void;
}

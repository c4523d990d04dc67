// The MAGMA API port (PROTOCOL.md sections 1–2): what the engine and commands ask of MAGMA.
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

export interface MagmaApi {
  register(req: RegisterRequest, signal?: AbortSignal): Promise<RegisteredAgent>;
  feed(signal?: AbortSignal): Promise<FeedResult>;
  systemStatus(signal?: AbortSignal): Promise<SystemStatus>;
  termsStatus(wallet: string, signal?: AbortSignal): Promise<TermsStatus>;
}

// Everything the simulator's route families share: the world, the clock, the chain ledger, rate limits, agents,
// reports, webhooks and faults. `syncState` brings the world and the chain up to the clock before any request is
// answered, so every route sees one consistent moment.
import type { Clock } from '../ports/clock.js';
import { SimLedger, type SimBacking } from './chain/sim-ledger.js';
import { createFaults, type SimFaults } from './faults/sim-faults.js';
import { RateLimiter, TIER_LIMITS, type Tier } from './rate-limiter.js';
import type { World } from './world/world.js';

export type { SimFaults } from './faults/sim-faults.js';

export interface SimAgent {
  id: string;
  apiKey: string;
  name: string;
  description: string | null;
  walletAddress: string;
  createdAt: string;
}

/** An acknowledged backing report (POST /v1/narratives/:id/back), kept as the idempotency record. */
export interface SimReport {
  signature: string;
  narrativeId: string;
  wallet: string;
  lamports: bigint;
  reportedAt: number;
  body: Record<string, unknown>;
}

export interface SimResolution {
  narrativeId: string;
  agentId: string;
  resolution: 'resolved_true' | 'resolved_false';
  evidence: string;
  confidence: number;
  at: number;
}

export interface SimWebhook {
  agentId: string;
  url: string;
  events: string[];
}

export interface SimState {
  seed: number;
  world: World;
  clock: Clock;
  limiter: RateLimiter;
  tier: Tier;
  agentsByKey: Map<string, SimAgent>;
  agentsByWallet: Map<string, SimAgent>;
  chain: SimLedger;
  /** Confirmed backings per wallet, oldest first (positions, history, conviction, points). */
  backingsByWallet: Map<string, SimBacking[]>;
  reports: Map<string, SimReport>;
  resolutions: SimResolution[];
  webhooks: Map<string, SimWebhook>;
  fundLamports: bigint;
  programId: string;
  faults: SimFaults;
  /** Simulated milliseconds per block (Solana: ~400 ms). */
  slotMs: number;
  /** Blocks after which a processed transaction counts as confirmed / finalized. */
  confirmBlocks: number;
  finalizeBlocks: number;
}

export interface SimStateInput {
  seed: number;
  world: World;
  clock: Clock;
  tier: Tier;
  fundLamports: bigint;
  programId: string;
}

export function createSimState(input: SimStateInput): SimState {
  const now = () => input.clock.now();
  const perMinute = TIER_LIMITS[input.tier];
  return {
    ...input,
    limiter: new RateLimiter(
      {
        feed: { limit: perMinute, windowMs: 60_000 },
        agent: { limit: perMinute, windowMs: 60_000 },
        resolve: { limit: perMinute, windowMs: 60_000 },
        public: { limit: 60, windowMs: 60_000 },
        backing: { limit: 10, windowMs: 60_000 },
        register: { limit: 5, windowMs: 3_600_000 },
      },
      now,
    ),
    agentsByKey: new Map(),
    agentsByWallet: new Map(),
    chain: new SimLedger(input.fundLamports),
    backingsByWallet: new Map(),
    reports: new Map(),
    resolutions: [],
    webhooks: new Map(),
    faults: createFaults(),
    slotMs: 400,
    confirmBlocks: 2,
    finalizeBlocks: 32,
  };
}

/** A wallet's balance; a wallet that first appears is funded (as a test validator's faucet would). */
export function balanceOf(state: SimState, wallet: string): bigint {
  return state.chain.balance(wallet);
}

export function blockHeight(state: SimState): number {
  return Math.max(0, Math.floor((state.clock.now() - state.world.startMs) / state.slotMs));
}

/** Advances the world to the clock and applies transactions that have reached `confirmed` to it. */
export function syncState(state: SimState): void {
  state.world.advanceTo(state.clock.now());
  for (const tx of state.chain.takeConfirmed(blockHeight(state) - state.confirmBlocks)) {
    for (const b of tx.backings) {
      state.world.recordBacking(b.narrativeId, b.wallet, b.lamports);
      let list = state.backingsByWallet.get(b.wallet);
      if (!list) state.backingsByWallet.set(b.wallet, (list = []));
      list.push(b);
    }
  }
}

/** Confirmation of a processed transaction at the current height, as getSignatureStatuses reports it. */
export function confirmationOf(state: SimState, slot: number): { status: 'processed' | 'confirmed' | 'finalized'; confirmations: number | null } {
  const depth = blockHeight(state) - slot;
  if (depth >= state.finalizeBlocks) return { status: 'finalized', confirmations: null };
  return { status: depth >= state.confirmBlocks ? 'confirmed' : 'processed', confirmations: Math.max(0, depth) };
}

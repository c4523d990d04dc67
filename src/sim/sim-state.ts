// Everything the simulator's route families share: the world, the clock, the chain ledger, rate limits, agents,
// reports, webhooks and faults. `syncState` brings the world and the chain up to the clock before any request is
// answered, so every route sees one consistent moment.
import type { Clock } from '../ports/clock.js';
import { SimLedger, type SimBacking } from './chain/sim-ledger.js';
import { createFaults, type SimFaults } from './faults/sim-faults.js';
import { settledPnlLamports } from '../core/payout.js';
import { outcomeOf, SIM_PAYOUT, standingOf } from './wallet-stats.js';
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
  /** Confirmed backings per narrative, for settlement when it resolves. */
  backingsByNarrative: Map<string, SimBacking[]>;
  reports: Map<string, SimReport>;
  resolutions: SimResolution[];
  webhooks: Map<string, SimWebhook>;
  fundLamports: bigint;
  programId: string;
  faults: SimFaults;
  /** Simulated milliseconds per block (Solana: ~400 ms). */
  slotMs: number;
  /** Blocks after which a processed transaction counts as finalized (confirmed: faults.confirmBlocks). */
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
  const state: SimState = {
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
    backingsByNarrative: new Map(),
    faults: createFaults(),
    slotMs: 400,
    finalizeBlocks: 32,
  };
  input.world.onEvent((e) => {
    if (e.type !== 'narrative.resolved') return;
    for (const b of state.backingsByNarrative.get(e.narrative.id) ?? []) settleBacking(state, b, e.at);
  });
  return state;
}

/**
 * Pays a confirmed backing out of its vault once its narrative is settled, under the payout rule: TRUE returns the
 * principal plus the gain, FALSE keeps the unforfeited share, REFUND returns the principal.
 */
function settleBacking(state: SimState, b: SimBacking, at: number): void {
  const n = state.world.get(b.narrativeId);
  const outcome = n ? outcomeOf(n) : null;
  if (!outcome || b.settledLamports !== null) return;
  const pnl = settledPnlLamports(SIM_PAYOUT, b.lamports, outcome);
  // The Forge pays winners pro rata by stake × the multiplier locked at backing time (PROTOCOL.md section 4).
  const payout = b.lamports + (pnl > 0n ? (pnl * BigInt(Math.round(b.multiplier * 1000))) / 1000n : pnl);
  const vault = state.chain.vaults.get(b.narrativeId) ?? 0n;
  state.chain.vaults.set(b.narrativeId, vault > b.lamports ? vault - b.lamports : 0n);
  state.chain.credit(b.wallet, payout);
  state.chain.transfers.push({ signature: b.signature, kind: 'settlement', from: `vault:${b.narrativeId}`, to: b.wallet, narrativeId: b.narrativeId, lamports: payout, at });
  b.settledLamports = payout;
}

/** A wallet's balance; a wallet that first appears is funded (as a test validator's faucet would). */
export function balanceOf(state: SimState, wallet: string): bigint {
  return state.chain.balance(wallet);
}

/** Block height at the simulated start: a chain is never new, and a commitment lag must not clamp at zero. */
export const GENESIS_HEIGHT = 250_000_000;

export function blockHeight(state: SimState): number {
  return GENESIS_HEIGHT + Math.max(0, Math.floor((state.clock.now() - state.world.startMs) / state.slotMs));
}

/** Advances the world to the clock and applies transactions that have reached `confirmed` to it. */
export function syncState(state: SimState): void {
  state.world.advanceTo(state.clock.now());
  for (const tx of state.chain.takeConfirmed(blockHeight(state) - state.faults.confirmBlocks)) {
    for (const b of tx.backings) {
      b.multiplier = standingOf(state, b.wallet).multiplier;
      state.world.recordBacking(b.narrativeId, b.wallet, b.lamports);
      let list = state.backingsByWallet.get(b.wallet);
      if (!list) state.backingsByWallet.set(b.wallet, (list = []));
      list.push(b);
      let byNarrative = state.backingsByNarrative.get(b.narrativeId);
      if (!byNarrative) state.backingsByNarrative.set(b.narrativeId, (byNarrative = []));
      byNarrative.push(b);
      // Confirmed after its narrative already resolved (an agent verdict can be that fast): settle at once.
      settleBacking(state, b, state.clock.now());
    }
  }
}

/** Confirmation of a processed transaction at the current height (or a lagging node's), as getSignatureStatuses reports it. */
export function confirmationOf(state: SimState, slot: number, height = blockHeight(state)): { status: 'processed' | 'confirmed' | 'finalized'; confirmations: number | null } {
  const depth = height - slot;
  const confirmAt = state.faults.confirmBlocks;
  if (depth >= Math.max(state.finalizeBlocks, confirmAt + 30)) return { status: 'finalized', confirmations: null };
  return { status: depth >= confirmAt ? 'confirmed' : 'processed', confirmations: Math.max(0, depth) };
}

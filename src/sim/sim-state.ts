// Everything the simulator's route families share: the world, the clock, rate limits, agents, wallets and faults.
import type { Clock } from '../ports/clock.js';
import { RateLimiter, TIER_LIMITS, type Tier } from './rate-limiter.js';
import type { World } from './world/world.js';

export interface SimAgent {
  id: string;
  apiKey: string;
  name: string;
  description: string | null;
  walletAddress: string;
  createdAt: string;
}

export interface SimFaults {
  /** Components reported halted by /v1/system/status. */
  halted: Set<string>;
  /** Wallets (or '*') whose terms are reported not accepted. */
  termsRejected: Set<string>;
}

export interface SimState {
  world: World;
  clock: Clock;
  limiter: RateLimiter;
  tier: Tier;
  agentsByKey: Map<string, SimAgent>;
  agentsByWallet: Map<string, SimAgent>;
  balances: Map<string, bigint>;
  fundLamports: bigint;
  programId: string;
  faults: SimFaults;
  /** Simulated milliseconds per block (Solana: ~400 ms). */
  slotMs: number;
}

export function createSimState(input: { world: World; clock: Clock; tier: Tier; fundLamports: bigint; programId: string }): SimState {
  const now = () => input.clock.now();
  return {
    ...input,
    limiter: new RateLimiter(
      {
        feed: { limit: TIER_LIMITS[input.tier], windowMs: 60_000 },
        agent: { limit: TIER_LIMITS[input.tier], windowMs: 60_000 },
        public: { limit: 60, windowMs: 60_000 },
        register: { limit: 5, windowMs: 3_600_000 },
      },
      now,
    ),
    agentsByKey: new Map(),
    agentsByWallet: new Map(),
    balances: new Map(),
    faults: { halted: new Set(), termsRejected: new Set() },
    slotMs: 400,
  };
}

/** A wallet's balance; a wallet that first appears is funded (as a test validator's faucet would). */
export function balanceOf(state: SimState, wallet: string): bigint {
  let b = state.balances.get(wallet);
  if (b === undefined) {
    b = state.fundLamports;
    state.balances.set(wallet, b);
  }
  return b;
}

export function blockHeight(state: SimState): number {
  return Math.floor((state.clock.now() - state.world.startMs) / state.slotMs);
}

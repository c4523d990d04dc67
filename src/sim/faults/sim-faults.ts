// The faults the simulator can inject, switched at start-up (scenarios) or at run time (POST /__sim/faults), so a
// client's every failure path can be driven through real HTTP: halts, terms, flagged and blocked wallets, bursts of
// 5xx / hangs / resets / HTML pages / 429s per request family, malformed feed items, RPC outages (also one that starts
// when a transfer lands), dropped transactions, blockhashes that expire early, and the ways public Solana RPCs differ
// from one full node: a status node lagging behind the height node, a node without transaction history, preflight
// refusals for one narrative, a transaction seen on a minority fork that is then dropped, and a report route that
// verifies at finalized commitment.

/** The request families faults and rate limits are keyed on (control routes are never faulted). */
export const FAULT_FAMILIES = ['feed', 'agent', 'public', 'backing', 'register', 'resolve', 'rpc', 'prices', 'magus'] as const;
export type FaultFamily = (typeof FAULT_FAMILIES)[number];

export const BURST_KINDS = ['error', 'hang', 'reset', 'html', 'rate-limit'] as const;
export type BurstKind = (typeof BURST_KINDS)[number];

export interface FaultBurst {
  family: FaultFamily;
  kind: BurstKind;
  /** Requests still to fault; -1 = until cleared (an outage). */
  remaining: number;
  /** HTTP status for `error` and `html` (default 503 / 502). */
  status?: number;
}

export interface SimFaults {
  /** Components reported halted by /v1/system/status. */
  halted: Set<string>;
  /** Wallets (or '*') whose terms are reported not accepted. */
  termsRejected: Set<string>;
  /** Wallets (or '*') the flag check reports flagged (a warning) or blocked (no writes). */
  flagged: Set<string>;
  blocked: Set<string>;
  bursts: FaultBurst[];
  /** The next N feed responses carry malformed items beside the good ones. */
  malformedFeed: number;
  /** The next N sendTransaction calls answer a signature but the transaction never lands. */
  dropTransactions: number;
  /** Blocks a blockhash stays valid (a real node: 150); lower makes them expire early. */
  blockhashTtl: number;
  /** Blocks before a processed transaction counts as confirmed (normally 2); higher keeps them unconfirmed longer. */
  confirmBlocks: number;
  /**
   * Like a node without transaction history: getSignatureStatuses knows only transactions from the last N slots
   * (null = everything, as a full-history node).
   */
  statusHistorySlots: number | null;
  /**
   * A load-balanced RPC whose getSignatureStatuses is served by a node this many blocks behind the one that serves
   * heights, blockhashes and sends (0 = one node). That node's answer (statuses, confirmations, context.slot) is as
   * of its own height; a JSON-RPC batch goes to one node as a whole.
   */
  statusLagBlocks: number;
  /**
   * Armed: the next backing transaction that lands starts an RPC outage, every RPC request answered 503: `true` until
   * cleared (clearBursts), a number N for the next N requests. 0/false: not armed.
   */
  rpcOutageOnLand: boolean | number;
  /** Narratives whose back_narrative transactions every node refuses in preflight (the program says not open). */
  refuseNarratives: Set<string>;
  /**
   * The next N transactions that land are seen at `processed` on a minority fork, then dropped FORK_BLOCKS later:
   * nothing moves, the status disappears, and the same bytes can still land (the blockhash is still valid).
   */
  forkDrop: number;
  /**
   * MAGMA verifies reports at finalized commitment: a report of a transaction not yet finalized is "not found" (400),
   * and its history and portfolio list only the backings whose report it acknowledged (its view is built from them).
   */
  reportsAtFinalized: boolean;
  /**
   * Narratives shown in an oracle state the world itself never enters (PROTOCOL.md section 9): `running` (being
   * scored) or `under_review` (disputed: not final, no verdict accepted). Cleared per narrative with `null`.
   */
  oracleStates: Map<string, 'running' | 'under_review'>;
  /** Minutes after a resolution during which it can be challenged: `is_final` is false until then. */
  challengeWindowMinutes: number;
  /** `GET /v1/narratives/:id` wraps its answer as {narrative} (the app accepts both shapes) instead of flat. */
  narrativeWrapped: boolean;
}

export const ORACLE_STATE_FAULTS = ['running', 'under_review'] as const;

/** Blocks a transaction dropped by `forkDrop` stays visible at processed. */
export const FORK_BLOCKS = 8;

export function createFaults(): SimFaults {
  return {
    halted: new Set(), termsRejected: new Set(), flagged: new Set(), blocked: new Set(), bursts: [],
    malformedFeed: 0, dropTransactions: 0, blockhashTtl: 150, confirmBlocks: 2, statusHistorySlots: null,
    statusLagBlocks: 0, rpcOutageOnLand: false, refuseNarratives: new Set(), forkDrop: 0, reportsAtFinalized: false,
    oracleStates: new Map(), challengeWindowMinutes: 60, narrativeWrapped: false,
  };
}

export function walletMatches(set: Set<string>, wallet: string): boolean {
  return set.has('*') || set.has(wallet);
}

/** Takes one request's fault for `family`, if a burst is armed. */
export function takeBurst(faults: SimFaults, family: FaultFamily): FaultBurst | null {
  const i = faults.bursts.findIndex((b) => b.family === family && b.remaining !== 0);
  if (i < 0) return null;
  const b = faults.bursts[i]!;
  if (b.remaining > 0) b.remaining--;
  if (b.remaining === 0) faults.bursts.splice(i, 1);
  return b;
}

export function describeFaults(f: SimFaults): Record<string, unknown> {
  return {
    halted: [...f.halted], terms_rejected: [...f.termsRejected], flagged: [...f.flagged], blocked: [...f.blocked],
    bursts: f.bursts.map((b) => ({ ...b })), malformed_feed: f.malformedFeed, drop_transactions: f.dropTransactions,
    blockhash_ttl: f.blockhashTtl, confirm_blocks: f.confirmBlocks, status_history_slots: f.statusHistorySlots,
    status_lag_blocks: f.statusLagBlocks, rpc_outage_on_land: f.rpcOutageOnLand, refuse_narratives: [...f.refuseNarratives],
    fork_drop: f.forkDrop, reports_at_finalized: f.reportsAtFinalized, oracle_states: Object.fromEntries(f.oracleStates),
    challenge_window_minutes: f.challengeWindowMinutes, narrative_wrapped: f.narrativeWrapped,
  };
}

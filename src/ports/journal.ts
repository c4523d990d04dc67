// The journal port: one row per backing intent and one per verdict, committed before anything leaves the process,
// and the only legal ways a row may change state. Live, dry-run and backtest executors all write through it, so every
// mode records the same rows; only live rows ever reach signed/sent/confirmed/reported.
import type { PortfolioView } from '../core/decide.js';
import type { Ledger } from './store.js';

export const BACKING_STATES = ['intent', 'signed', 'sent', 'confirmed', 'reported', 'expired', 'failed', 'cancelled', 'simulated'] as const;
export type BackingState = (typeof BACKING_STATES)[number];

/** States a row never leaves. `expired`: provably expired and no longer wanted; `cancelled`: never signed. */
export const FINAL_BACKING_STATES: ReadonlySet<BackingState> = new Set(['reported', 'expired', 'failed', 'cancelled', 'simulated']);

/**
 * The state machine. signed/sent → signed is a re-sign, allowed only after the current attempt is proven expired
 * (block height past lastValidBlockHeight and no status for its signature) and the intent is still wanted.
 */
export const BACKING_TRANSITIONS: Readonly<Record<BackingState, readonly BackingState[]>> = {
  intent: ['signed', 'cancelled', 'simulated'],
  signed: ['sent', 'signed', 'confirmed', 'failed', 'expired'],
  sent: ['signed', 'confirmed', 'failed', 'expired'],
  confirmed: ['reported'],
  reported: [],
  expired: [],
  failed: [],
  cancelled: [],
  simulated: [],
};

export interface BackingRow {
  id: number;
  intentKey: string;
  decisionId: number | null;
  narrativeId: string;
  category: string;
  stakeLamports: bigint;
  state: BackingState;
  /** The ledger the row belongs to (the journal's own). */
  ledger: Ledger;
  wallet: string | null;
  signature: string | null;
  blockhash: string | null;
  lastValidBlockHeight: number | null;
  signedTx: Buffer | null;
  signCount: number;
  slot: number | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  confirmedAt: string | null;
  reportedAt: string | null;
  outcome: string | null;
  pnlLamports: bigint | null;
}

export interface NewBacking {
  intentKey: string;
  decisionId: number;
  narrativeId: string;
  category: string;
  stakeLamports: bigint;
  wallet: string | null;
}

/** What the executor's own limits look at when a new intent is opened (same transaction as the insert). */
export interface JournalView extends PortfolioView {
  /** Intents of this mode opened (not cancelled) since `since` (the backing rate limit). */
  recentIntents: number;
  /** Narratives with an intent of this wallet in flight (intent, signed, sent, confirmed): never a second beside it. */
  inFlightNarratives: ReadonlySet<string>;
  verdictNarratives: ReadonlySet<string>;
}

export interface SignedAttempt {
  signature: string;
  blockhash: string;
  lastValidBlockHeight: number;
  signedTx: Uint8Array;
  /** context.slot of the bank the blockhash came from: the attempt cannot land at or before it. */
  signedSlot: number | null;
}

/** What the journal knows of one signed attempt (every one is watched until it lands or provably expires). */
export type AttemptOutcome = 'pending' | 'landed' | 'failed' | 'expired';
export interface AttemptRow {
  backingId: number;
  signature: string;
  lastValidBlockHeight: number;
  signedSlot: number | null;
  signedAt: string;
  outcome: AttemptOutcome;
  /** Proof that it reached a node ('already-processed', 'status'): such an attempt is never called expired. */
  evidence: string | null;
  landedSlot: number | null;
  reportedAt: string | null;
  reportJson: string | null;
}

export interface TransitionFields {
  attempt?: SignedAttempt;
  slot?: number;
  reportJson?: string;
  error?: string | null;
  /** Why, in plain words, kept in backing_events. */
  note?: string;
}

export const RESOLUTION_STATES = ['intent', 'submitted', 'accepted', 'rejected', 'simulated'] as const;
export type ResolutionState = (typeof RESOLUTION_STATES)[number];
export const FINAL_RESOLUTION_STATES: ReadonlySet<ResolutionState> = new Set(['accepted', 'rejected', 'simulated']);
export const RESOLUTION_TRANSITIONS: Readonly<Record<ResolutionState, readonly ResolutionState[]>> = {
  intent: ['submitted', 'rejected', 'simulated'],
  submitted: ['submitted', 'accepted', 'rejected'],
  accepted: [],
  rejected: [],
  simulated: [],
};

export interface ResolutionRow {
  id: number;
  narrativeId: string;
  resolution: boolean;
  confidence: number;
  evidence: string;
  state: ResolutionState;
  ledger: Ledger;
  attempts: number;
  error: string | null;
  responseJson: string | null;
  createdAt: string;
}

export interface NewResolution {
  narrativeId: string;
  resolution: boolean;
  confidence: number;
  evidence: string;
}

/** The journal of one ledger: every row it opens is that ledger's, and every query reads only that ledger's rows. */
export interface Journal {
  readonly ledger: Ledger;
  /**
   * Opens one intent in one transaction: the guard sees the journal's view and returns why the intent must not go
   * ahead (the row is then recorded as cancelled with that reason) or null. An existing intent key returns its row.
   */
  openBacking(b: NewBacking, at: { now: string; dayStart: string; since: string }, guard: (view: JournalView) => string | null): BackingRow;
  backing(id: number): BackingRow;
  /** Rows not in a final state, oldest first. */
  unfinishedBackings(): BackingRow[];
  backingsInStates(states: readonly BackingState[]): BackingRow[];
  /** Compare-and-set: fails loudly when the row is not in the state `row` says (no silent double step). */
  transition(row: BackingRow, to: BackingState, at: string, fields?: TransitionFields): BackingRow;
  /** Every signature this intent was ever signed with, oldest first. */
  attemptSignatures(backingId: number): string[];
  /** Every attempt of this intent, oldest first. */
  attempts(backingId: number): AttemptRow[];
  /**
   * A canary: the newest signature known to have landed at or before `slot` (any intent). Visible in the same
   * answer as an attempt signed at `slot`, it proves that view still sees every slot the attempt could land in.
   */
  landedCanary(slot: number): string | null;
  /** Records what was learnt about one attempt (evidence, the slot it landed in, its final outcome). */
  noteAttempt(signature: string, fields: { evidence?: string; landedSlot?: number; outcome?: AttemptOutcome }): void;
  /** One landed attempt's report was acknowledged. */
  attemptReported(signature: string, reportJson: string, at: string): void;
  /** An earlier attempt of this intent landed after all: it becomes the row's signature, and no bytes are resent. */
  adoptAttempt(row: BackingRow, signature: string, at: string): BackingRow;
  /** Keeps the latest error on the row without changing its state. */
  noteBackingError(row: BackingRow, error: string, at: string): BackingRow;

  /** One row per narrative in this ledger (another ledger's verdict on it is apart): an existing one is returned as it is. */
  openResolution(r: NewResolution, at: string): { row: ResolutionRow; created: boolean };
  unfinishedResolutions(): ResolutionRow[];
  transitionResolution(row: ResolutionRow, to: ResolutionState, at: string, fields?: { responseJson?: string; error?: string | null; attempt?: boolean }): ResolutionRow;
}

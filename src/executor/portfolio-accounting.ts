// Portfolio accounting from the journal, in lamports: open positions and their stakes, settled positions with their
// outcome and profit or loss under the payout rule (the store settles them as outcomes arrive). Only backings that
// really happened count: confirmed or reported live rows, simulated dry-run rows.
import type { BackingRow, BackingState, Journal } from '../ports/journal.js';

export interface AccountedPosition {
  backingId: number;
  narrativeId: string;
  stakeLamports: bigint;
  signature: string | null;
  state: BackingState;
  outcome: string | null;
  pnlLamports: bigint | null;
}

export interface PortfolioAccounts {
  open: AccountedPosition[];
  settled: AccountedPosition[];
  openStakeLamports: bigint;
  settledStakeLamports: bigint;
  realisedPnlLamports: bigint;
}

const position = (r: BackingRow): AccountedPosition => ({
  backingId: r.id, narrativeId: r.narrativeId, stakeLamports: r.stakeLamports, signature: r.signature, state: r.state, outcome: r.outcome, pnlLamports: r.pnlLamports,
});

export function portfolioAccounts(journal: Journal): PortfolioAccounts {
  // A ledger's rows are either sent and landed (live) or only journaled (dry-run): never both kinds in one ledger.
  const rows = journal.backingsInStates(['confirmed', 'reported', 'simulated']);
  const open = rows.filter((r) => r.outcome === null).map(position);
  const settled = rows.filter((r) => r.outcome !== null).map(position);
  const sum = (xs: AccountedPosition[], f: (p: AccountedPosition) => bigint) => xs.reduce((a, p) => a + f(p), 0n);
  return {
    open,
    settled,
    openStakeLamports: sum(open, (p) => p.stakeLamports),
    settledStakeLamports: sum(settled, (p) => p.stakeLamports),
    realisedPnlLamports: sum(settled, (p) => p.pnlLamports ?? 0n),
  };
}

// The simulated chain's books: wallet balances, narrative vaults, every processed transaction and every lamport
// transfer, and the blockhashes the node has handed out. Money moves only here, as bigint lamports, so the control
// routes can dump an exact ledger and tests can prove that a rejected transaction moved nothing.

export interface SimBacking {
  /** Position id (deterministic from the signature). */
  id: string;
  signature: string;
  wallet: string;
  narrativeId: string;
  lamports: bigint;
  deadlineUnix: bigint;
  /** Simulated ms when the transaction was processed. */
  processedAt: number;
  /** Lamports paid back to the wallet at settlement (null until its narrative is settled). */
  settledLamports: bigint | null;
  /** The wallet's conviction multiplier, locked in the backing record at confirmation (scales a TRUE gain). */
  multiplier: number;
}

export interface SimTx {
  signature: string;
  /** Block height (the simulator's slot) the transaction landed in. */
  slot: number;
  processedAt: number;
  feePayer: string;
  feeLamports: bigint;
  backings: SimBacking[];
  /** Applied to the world once confirmed (backer counts, totals, positions). */
  confirmedApplied: boolean;
  /** A transaction sent with skipPreflight that failed while executing: landed, fee charged, nothing else. */
  err: unknown;
}

export interface SimTransfer {
  signature: string;
  kind: 'fee' | 'backing' | 'airdrop' | 'settlement';
  from: string | null;
  to: string | null;
  narrativeId: string | null;
  lamports: bigint;
  at: number;
}

export class SimLedger {
  readonly balances = new Map<string, bigint>();
  readonly vaults = new Map<string, bigint>();
  readonly txs = new Map<string, SimTx>();
  /** Processed but not yet applied to the world: kept apart so confirming is cheap. */
  readonly unconfirmed: SimTx[] = [];
  readonly transfers: SimTransfer[] = [];
  /** blockhash → block height at which it was issued. */
  readonly blockhashes = new Map<string, number>();
  /** Signatures answered as sent but dropped by a fault: never processed, never found. */
  readonly dropped = new Set<string>();
  /** Seen at processed on a minority fork (the forkDrop fault) in slots [slot, until); nothing moved. */
  readonly forked = new Map<string, { slot: number; until: number }>();

  constructor(private readonly fundLamports: bigint) {}

  /** A wallet's balance; a wallet that first appears is funded (as a test validator's faucet would). */
  balance(wallet: string): bigint {
    let b = this.balances.get(wallet);
    if (b === undefined) {
      b = this.fundLamports;
      this.balances.set(wallet, b);
    }
    return b;
  }

  credit(wallet: string, lamports: bigint): void {
    this.balances.set(wallet, this.balance(wallet) + lamports);
  }

  debit(wallet: string, lamports: bigint): void {
    const b = this.balance(wallet);
    if (b < lamports) throw new Error(`ledger invariant: debit of ${lamports} from ${wallet} holding ${b}`);
    this.balances.set(wallet, b - lamports);
  }

  creditVault(narrativeId: string, lamports: bigint): void {
    this.vaults.set(narrativeId, (this.vaults.get(narrativeId) ?? 0n) + lamports);
  }

  /** Remembers a blockhash handed out at `height`, forgetting those long expired (a served run can last months). */
  issueBlockhash(blockhash: string, height: number, ttl: number): void {
    if (this.blockhashes.has(blockhash)) return;
    this.blockhashes.set(blockhash, height);
    if (this.blockhashes.size > 1024) {
      const horizon = height - Math.max(ttl, 150) * 2;
      for (const [hash, h] of this.blockhashes) if (h < horizon) this.blockhashes.delete(hash);
    }
  }

  /** Every landed transaction in slot order (newest last), for commitment-aware balances. */
  readonly landed: SimTx[] = [];

  record(tx: SimTx): void {
    this.txs.set(tx.signature, tx);
    this.unconfirmed.push(tx);
    this.landed.push(tx);
  }

  /**
   * The balance as of transactions landed at or before `maxSlot`: a node answering at `confirmed` or `finalized`
   * commitment does not yet count the newer ones.
   */
  balanceAsOf(wallet: string, maxSlot: number): bigint {
    let b = this.balance(wallet);
    for (let i = this.landed.length - 1; i >= 0 && this.landed[i]!.slot > maxSlot; i--) {
      const tx = this.landed[i]!;
      if (tx.feePayer === wallet) b += tx.feeLamports;
      for (const k of tx.backings) if (k.wallet === wallet) b += k.lamports;
    }
    return b;
  }

  /** Transactions that reached `confirmedHeight` since the last call, oldest first. */
  takeConfirmed(confirmedHeight: number): SimTx[] {
    const out: SimTx[] = [];
    while (this.unconfirmed.length > 0 && this.unconfirmed[0]!.slot <= confirmedHeight) {
      const tx = this.unconfirmed.shift()!;
      tx.confirmedApplied = true;
      out.push(tx);
    }
    return out;
  }
}

// The simulator's x402 payment chain: a real Solana runtime in-process (LiteSVM) holding a test USDC mint, the
// facilitator's fee payer, and token accounts funded for the wallets the simulator is told about. LiteSVM speaks
// @solana/kit 8 and @x402/svm kit 5: only serialized transactions (bytes) and base58 addresses cross between them.
import { findAssociatedTokenPda, getMintEncoder, getTokenDecoder, getTokenEncoder, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import {
  address, generateKeyPairSigner, getBase58Decoder, getBase64Encoder, getTransactionDecoder, type Address, type KeyPairSigner,
} from '@solana/kit';
import { FailedTransactionMetadata, LiteSVM } from 'litesvm';
import { TEST_USDC_DECIMALS } from './network.js';

export { SIM_X402_NETWORK, TEST_USDC_DECIMALS } from './network.js';

type LiteTransaction = Parameters<LiteSVM['sendTransaction']>[0];
type LiteAddress = Parameters<LiteSVM['getAccount']>[0];
type LiteLamports = Parameters<LiteSVM['airdrop']>[1];
/** kit 5 and kit 8 brand their strings with different symbols: the same base58 text, retyped for LiteSVM. */
const lite = (a: string) => a as LiteAddress;

export interface SentTransaction {
  signature: string;
  /** Null when the runtime executed it; else the runtime's error, as text. */
  error: string | null;
}

export class TokenChain {
  readonly svm: LiteSVM;
  readonly mint: Address;

  private constructor(svm: LiteSVM, mint: Address, readonly feePayer: KeyPairSigner) {
    this.svm = svm;
    this.mint = mint;
  }

  static async create(): Promise<TokenChain> {
    const svm = new LiteSVM(); // default programs (SPL Token, ATA, Memo, Compute Budget), sigverify and blockhash checks on
    const [mintKey, feePayer] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]);
    const chain = new TokenChain(svm, mintKey.address, feePayer);
    chain.writeAccount(mintKey.address, TOKEN_PROGRAM_ADDRESS, new Uint8Array(getMintEncoder().encode({
      mintAuthority: mintKey.address, supply: 0n, decimals: TEST_USDC_DECIMALS, isInitialized: true, freezeAuthority: null,
    })));
    svm.airdrop(lite(feePayer.address), 10_000_000_000n as LiteLamports);
    return chain;
  }

  private writeAccount(at: Address, owner: Address, data: Uint8Array): void {
    this.svm.setAccount({
      address: lite(at), programAddress: lite(owner), data, executable: false, space: BigInt(data.length),
      lamports: this.svm.minimumBalanceForRentExemption(BigInt(data.length)) as LiteLamports,
    });
  }

  async tokenAccount(owner: string): Promise<Address> {
    const [ata] = await findAssociatedTokenPda({ mint: this.mint, owner: address(owner), tokenProgram: TOKEN_PROGRAM_ADDRESS });
    return ata;
  }

  /** Gives `owner` a token account holding `amount` test USDC (atomic units); an account already there is overwritten. */
  async fund(owner: string, amount: bigint): Promise<Address> {
    const ata = await this.tokenAccount(owner);
    this.writeAccount(ata, TOKEN_PROGRAM_ADDRESS, new Uint8Array(getTokenEncoder().encode({
      mint: this.mint, owner: address(owner), amount, delegate: null, state: 1, isNative: null, delegatedAmount: 0n, closeAuthority: null,
    })));
    return ata;
  }

  /** The test USDC `owner` holds (atomic units); null without a token account. */
  async balance(owner: string): Promise<bigint | null> {
    return this.tokenAccountBalance(await this.tokenAccount(owner));
  }

  tokenAccountBalance(ata: string): bigint | null {
    const acc = this.svm.getAccount(lite(ata));
    if (!acc.exists) return null;
    return getTokenDecoder().decode(acc.data).amount;
  }

  latestBlockhash(): string {
    return this.svm.latestBlockhash();
  }

  /** An account as JSON-RPC `getAccountInfo` shows it (base64 data), or null. */
  accountInfo(at: string): { data: [string, 'base64']; owner: string; lamports: bigint; executable: boolean; space: bigint } | null {
    const acc = this.svm.getAccount(lite(at));
    if (!acc.exists) return null;
    return {
      data: [Buffer.from(acc.data).toString('base64'), 'base64'], owner: acc.programAddress, lamports: BigInt(acc.lamports),
      executable: acc.executable, space: BigInt(acc.data.length),
    };
  }

  /** Runs a simulation; the fee payer has not signed yet at verify time, so signatures are not checked here. */
  simulate(base64: string): string | null {
    const tx = decode(base64);
    this.svm.withSigverify(false);
    try {
      const r = this.svm.simulateTransaction(tx);
      return r instanceof FailedTransactionMetadata ? describe(r) : null;
    } finally {
      this.svm.withSigverify(true);
    }
  }

  /** Executes a fully signed transaction (signatures verified by the runtime); a replay is refused as already processed. */
  send(base64: string): SentTransaction {
    const tx = decode(base64);
    const first = Object.values(tx.signatures)[0];
    const signature = first ? getBase58Decoder().decode(first) : '';
    const r = this.svm.sendTransaction(tx);
    return { signature, error: r instanceof FailedTransactionMetadata ? describe(r) : null };
  }

  /** Whether the runtime executed `signature` successfully. */
  landed(signature: string): boolean {
    const r = this.svm.getTransaction(signature as Parameters<LiteSVM['getTransaction']>[0]);
    return r !== null && !(r instanceof FailedTransactionMetadata);
  }
}

function decode(base64: string): LiteTransaction {
  // kit 5 decodes the wire bytes; LiteSVM re-encodes the same bytes with its own kit (the shape is the wire format's)
  return getTransactionDecoder().decode(getBase64Encoder().encode(base64)) as unknown as LiteTransaction;
}

function describe(r: FailedTransactionMetadata): string {
  const err = r.err();
  const name = typeof err === 'number' || typeof err === 'string' ? String(err) : (err as object).constructor.name;
  return `${name}: ${r.meta().logs().slice(-3).join(' | ')}`;
}

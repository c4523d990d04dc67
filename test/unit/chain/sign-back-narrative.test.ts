// The signed back_narrative transaction, read back as a node would: compute-unit limit and price first, then the
// instruction exactly as PROTOCOL.md section 3 lays it out, fee paid and signed by the wallet.
import { ComputeBudgetProgram, Keypair, PublicKey, VersionedTransaction } from '@solana/web3.js';
import bs58 from 'bs58';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { decodeBackNarrativeInstruction } from '../../../src/chain/back-narrative.js';
import { signBackNarrative } from '../../../src/chain/sign-back-narrative.js';

const PROGRAM = 'ExNf7ktskoFCKwneF4239WKt3JsrYYTPDszgJSitc2Vb';

describe('signBackNarrative', () => {
  it('builds limit, price and back_narrative, signed by the wallet as fee payer', () => {
    const keypair = Keypair.generate();
    const blockhash = new PublicKey(Buffer.alloc(32, 7)).toBase58();
    const signed = signBackNarrative({
      keypair, programId: PROGRAM, narrativeId: '0b3f5a52-1c1e-4c4e-9d7e-2f9e1b6f7a10', lamports: 250_000_000n, deadlineUnix: 1_767_830_400n,
      blockhash, lastValidBlockHeight: 1_000, computeUnitLimit: 60_000, computeUnitPriceMicroLamports: 10_000,
    });
    const tx = VersionedTransaction.deserialize(signed.wire);
    const m = tx.message;
    expect(bs58.encode(tx.signatures[0]!)).toBe(signed.signature);
    expect(nacl.sign.detached.verify(m.serialize(), tx.signatures[0]!, keypair.publicKey.toBytes())).toBe(true);
    expect(m.staticAccountKeys[0]!.equals(keypair.publicKey)).toBe(true);
    expect(m.recentBlockhash).toBe(blockhash);
    const [limit, price, back] = m.compiledInstructions;
    expect(m.staticAccountKeys[limit!.programIdIndex]!.equals(ComputeBudgetProgram.programId)).toBe(true);
    expect(Buffer.from(limit!.data).readUInt32LE(1)).toBe(60_000);
    expect(Buffer.from(price!.data).readBigUInt64LE(1)).toBe(10_000n);
    const metas = back!.accountKeyIndexes.map((k) => ({ pubkey: m.staticAccountKeys[k]!, isSigner: m.isAccountSigner(k), isWritable: m.isAccountWritable(k) }));
    const decoded = decodeBackNarrativeInstruction(new PublicKey(PROGRAM), metas, back!.data);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) {
      expect(decoded.value).toMatchObject({ narrativeId: '0b3f5a52-1c1e-4c4e-9d7e-2f9e1b6f7a10', lamports: 250_000_000n, deadlineUnix: 1_767_830_400n });
      expect(decoded.value.backer.equals(keypair.publicKey)).toBe(true);
    }
  });
});

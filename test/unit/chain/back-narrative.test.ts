import { createHash } from 'node:crypto';
import { Keypair, PublicKey, SystemProgram } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  BACK_NARRATIVE_DISCRIMINATOR, backNarrativePdas, buildBackNarrativeInstruction, decodeBackNarrativeInstruction,
  narrativeIdBytes, narrativeIdFromBytes,
} from '../../../src/chain/back-narrative.js';

const PROGRAM = new PublicKey('ExNf7ktskoFCKwneF4239WKt3JsrYYTPDszgJSitc2Vb');
const ID = '0b3f5c1e-7a2d-4e8f-9b10-123456789abc';

describe('back_narrative instruction', () => {
  it('uses the Anchor discriminator sha256("global:back_narrative")[0..8]', () => {
    const digest = createHash('sha256').update('global:back_narrative').digest();
    expect([...digest.subarray(0, 8)]).toEqual(BACK_NARRATIVE_DISCRIMINATOR);
  });

  it('turns a UUID into its 16 raw bytes and back', () => {
    const bytes = narrativeIdBytes(ID);
    expect(bytes.toString('hex')).toBe('0b3f5c1e7a2d4e8f9b10123456789abc');
    expect(narrativeIdFromBytes(bytes)).toBe(ID);
    expect(() => narrativeIdBytes('not-a-uuid')).toThrow(/not a UUID/);
  });

  it('lays out data as discriminator, id16, u64 LE lamports, i64 LE deadline', () => {
    const backer = Keypair.generate().publicKey;
    const ix = buildBackNarrativeInstruction({ programId: PROGRAM, narrativeId: ID, backer, lamports: 1_500_000_000n, deadlineUnix: 1_780_000_000n });
    expect(ix.data.length).toBe(40);
    expect([...ix.data.subarray(0, 8)]).toEqual(BACK_NARRATIVE_DISCRIMINATOR);
    expect(ix.data.subarray(8, 24).toString('hex')).toBe('0b3f5c1e7a2d4e8f9b10123456789abc');
    expect(ix.data.subarray(24, 32).toString('hex')).toBe('002f685900000000'); // 1.5e9 LE
    expect(ix.data.readBigInt64LE(32)).toBe(1_780_000_000n);
  });

  it('orders the accounts backer, backing record, vault, state, System Program with the documented PDAs and flags', () => {
    const backer = Keypair.generate().publicKey;
    const ix = buildBackNarrativeInstruction({ programId: PROGRAM, narrativeId: ID, backer, lamports: 10_000_000n, deadlineUnix: 0n });
    const id16 = narrativeIdBytes(ID);
    const pda = (seeds: Buffer[]) => PublicKey.findProgramAddressSync(seeds, PROGRAM)[0].toBase58();
    expect(ix.keys.map((k) => k.pubkey.toBase58())).toEqual([
      backer.toBase58(),
      pda([Buffer.from('backing'), id16, backer.toBuffer()]),
      pda([Buffer.from('vault'), id16]),
      pda([Buffer.from('state'), id16]),
      SystemProgram.programId.toBase58(),
    ]);
    expect(ix.keys.map((k) => [k.isSigner, k.isWritable])).toEqual([[true, true], [false, true], [false, true], [false, true], [false, false]]);
    expect(ix.programId.equals(PROGRAM)).toBe(true);
  });

  it('decodes what it builds and rejects each broken variant with the matching program error', () => {
    const backer = Keypair.generate().publicKey;
    const ix = buildBackNarrativeInstruction({ programId: PROGRAM, narrativeId: ID, backer, lamports: 10_000_000n, deadlineUnix: 99n });
    const ok = decodeBackNarrativeInstruction(PROGRAM, ix.keys, ix.data);
    expect(ok.ok && ok.value.narrativeId === ID && ok.value.lamports === 10_000_000n && ok.value.deadlineUnix === 99n).toBe(true);

    const badDisc = Buffer.from(ix.data);
    badDisc[0] = 0;
    expect(decodeBackNarrativeInstruction(PROGRAM, ix.keys, badDisc)).toMatchObject({ ok: false, error: 'InstructionFallbackNotFound' });
    expect(decodeBackNarrativeInstruction(PROGRAM, ix.keys, ix.data.subarray(0, 32))).toMatchObject({ ok: false, error: 'InstructionDidNotDeserialize' });
    const wrongVault = ix.keys.map((k, i) => (i === 2 ? { ...k, pubkey: Keypair.generate().publicKey } : k));
    expect(decodeBackNarrativeInstruction(PROGRAM, wrongVault, ix.data)).toMatchObject({ ok: false, error: 'ConstraintSeeds' });
    const unsigned = ix.keys.map((k, i) => (i === 0 ? { ...k, isSigner: false } : k));
    expect(decodeBackNarrativeInstruction(PROGRAM, unsigned, ix.data)).toMatchObject({ ok: false, error: 'AccountNotSigner' });
    const readonlyState = ix.keys.map((k, i) => (i === 3 ? { ...k, isWritable: false } : k));
    expect(decodeBackNarrativeInstruction(PROGRAM, readonlyState, ix.data)).toMatchObject({ ok: false, error: 'ConstraintMut' });
    expect(decodeBackNarrativeInstruction(PROGRAM, ix.keys.slice(0, 4), ix.data)).toMatchObject({ ok: false, error: 'AccountNotEnoughKeys' });
    const small = buildBackNarrativeInstruction({ programId: PROGRAM, narrativeId: ID, backer, lamports: 999_999n, deadlineUnix: 0n });
    expect(decodeBackNarrativeInstruction(PROGRAM, small.keys, small.data)).toMatchObject({ ok: false, error: 'AmountTooSmall' });
    const big = buildBackNarrativeInstruction({ programId: PROGRAM, narrativeId: ID, backer, lamports: 10_000_000_001n, deadlineUnix: 0n });
    expect(decodeBackNarrativeInstruction(PROGRAM, big.keys, big.data)).toMatchObject({ ok: false, error: 'AmountTooLarge' });
  });

  it('derives PDAs under the configured program id', () => {
    const backer = Keypair.generate().publicKey;
    const other = Keypair.generate().publicKey;
    expect(backNarrativePdas(PROGRAM, ID, backer).vault.equals(backNarrativePdas(other, ID, backer).vault)).toBe(false);
  });
});

describe('back_narrative round trip (property)', () => {
  it('decodes every valid amount, deadline and id it encodes', async () => {
    const fc = (await import('fast-check')).default;
    const backer = Keypair.generate().publicKey;
    fc.assert(
      fc.property(
        fc.uuid(), fc.bigInt({ min: 1_000_000n, max: 10_000_000_000n }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
        (id, lamports, deadlineUnix) => {
          const ix = buildBackNarrativeInstruction({ programId: PROGRAM, narrativeId: id, backer, lamports, deadlineUnix });
          const d = decodeBackNarrativeInstruction(PROGRAM, ix.keys, ix.data);
          return d.ok && d.value.narrativeId === id.toLowerCase() && d.value.lamports === lamports && d.value.deadlineUnix === deadlineUnix;
        },
      ),
      { numRuns: 50 },
    );
  });
});

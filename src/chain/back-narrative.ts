// The magma_backing_vault `back_narrative` instruction (PROTOCOL.md section 3), in one place for both sides: the live
// executor builds it, the simulator decodes and checks it byte for byte. Keeping one definition means the two can
// never drift apart on seeds, account order or data layout.
import { NARRATIVE_UUID } from '../core/narrative.js';
import { PublicKey, SystemProgram, TransactionInstruction } from '@solana/web3.js';

/** First 8 bytes of sha256("global:back_narrative") (Anchor's instruction discriminator). */
export const BACK_NARRATIVE_DISCRIMINATOR: readonly number[] = [75, 87, 9, 26, 36, 72, 2, 16];
/** discriminator(8) + narrative id(16) + lamports u64(8) + deadline i64(8). */
export const BACK_NARRATIVE_DATA_LENGTH = 40;
export const MIN_BACKING_LAMPORTS = 1_000_000n; // 0.001 SOL
export const MAX_BACKING_LAMPORTS = 10_000_000_000n; // 10 SOL

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** A narrative UUID as the program's 16 raw bytes (the UUID without dashes). */
export function narrativeIdBytes(narrativeId: string): Buffer {
  if (!NARRATIVE_UUID.test(narrativeId)) throw new RangeError(`narrative id is not a UUID: ${JSON.stringify(narrativeId)}`);
  return Buffer.from(narrativeId.replace(/-/g, ''), 'hex');
}

/** The inverse of narrativeIdBytes: 16 bytes → lower-case dashed UUID. */
export function narrativeIdFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a narrative id is 16 bytes, not ${bytes.length}`);
  const h = Buffer.from(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface BackNarrativePdas {
  state: PublicKey;
  vault: PublicKey;
  backingRecord: PublicKey;
}

export function backNarrativePdas(programId: PublicKey, narrativeId: string, backer: PublicKey): BackNarrativePdas {
  const id16 = narrativeIdBytes(narrativeId);
  const find = (seeds: Buffer[]) => PublicKey.findProgramAddressSync(seeds, programId)[0];
  return {
    state: find([Buffer.from('state'), id16]),
    vault: find([Buffer.from('vault'), id16]),
    backingRecord: find([Buffer.from('backing'), id16, backer.toBuffer()]),
  };
}

export interface BackNarrativeArgs {
  narrativeId: string;
  lamports: bigint;
  deadlineUnix: bigint;
}

export function encodeBackNarrativeData(args: BackNarrativeArgs): Buffer {
  if (args.lamports < 0n || args.lamports > U64_MAX) throw new RangeError(`lamports out of u64 range: ${args.lamports}`);
  if (args.deadlineUnix < I64_MIN || args.deadlineUnix > I64_MAX) throw new RangeError(`deadline out of i64 range: ${args.deadlineUnix}`);
  const data = Buffer.alloc(BACK_NARRATIVE_DATA_LENGTH);
  Buffer.from(BACK_NARRATIVE_DISCRIMINATOR).copy(data, 0);
  narrativeIdBytes(args.narrativeId).copy(data, 8);
  data.writeBigUInt64LE(args.lamports, 24);
  data.writeBigInt64LE(args.deadlineUnix, 32);
  return data;
}

export interface BuildBackNarrativeParams extends BackNarrativeArgs {
  programId: PublicKey | string;
  backer: PublicKey;
}

export function buildBackNarrativeInstruction(p: BuildBackNarrativeParams): TransactionInstruction {
  const programId = typeof p.programId === 'string' ? new PublicKey(p.programId) : p.programId;
  const pdas = backNarrativePdas(programId, p.narrativeId, p.backer);
  return new TransactionInstruction({
    programId,
    keys: [
      { pubkey: p.backer, isSigner: true, isWritable: true },
      { pubkey: pdas.backingRecord, isSigner: false, isWritable: true },
      { pubkey: pdas.vault, isSigner: false, isWritable: true },
      { pubkey: pdas.state, isSigner: false, isWritable: true },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
    ],
    data: encodeBackNarrativeData(p),
  });
}

/**
 * Anchor's and the program's error numbers, as a node reports them ("custom program error: 0x…"). The 6000+ codes
 * are the program's own; their names follow magma_backing_vault's intent, their numbers are our convention.
 */
export const BACK_NARRATIVE_ERRORS = {
  InstructionFallbackNotFound: 101,
  InstructionDidNotDeserialize: 102,
  ConstraintMut: 2000,
  ConstraintSeeds: 2006,
  AccountNotEnoughKeys: 3005,
  InvalidProgramId: 3008,
  AccountNotSigner: 3010,
  AmountTooSmall: 6000,
  AmountTooLarge: 6001,
  NarrativeNotFound: 6002,
  NarrativeNotOpen: 6003,
  DeadlinePassed: 6004,
} as const;
export type BackNarrativeErrorName = keyof typeof BACK_NARRATIVE_ERRORS;

export interface AccountMetaLike {
  pubkey: PublicKey;
  isSigner: boolean;
  isWritable: boolean;
}

export interface DecodedBackNarrative {
  narrativeId: string;
  lamports: bigint;
  deadlineUnix: bigint;
  backer: PublicKey;
  pdas: BackNarrativePdas;
}

export type DecodeResult = { ok: true; value: DecodedBackNarrative } | { ok: false; error: BackNarrativeErrorName; detail: string };

const fail = (error: BackNarrativeErrorName, detail: string): DecodeResult => ({ ok: false, error, detail });

/**
 * Checks one back_narrative instruction against the layout: discriminator, data length, the five accounts with their
 * PDAs, signer and writable flags, and the 0.001–10 SOL bounds. Narrative existence, status and the deadline's
 * relation to the clock are the caller's (it owns the world).
 */
export function decodeBackNarrativeInstruction(programId: PublicKey, keys: readonly AccountMetaLike[], data: Uint8Array): DecodeResult {
  const bytes = Buffer.from(data);
  if (bytes.length < 8 || !BACK_NARRATIVE_DISCRIMINATOR.every((b, i) => bytes[i] === b)) {
    return fail('InstructionFallbackNotFound', 'the instruction discriminator is not back_narrative');
  }
  if (bytes.length !== BACK_NARRATIVE_DATA_LENGTH) {
    return fail('InstructionDidNotDeserialize', `instruction data is ${bytes.length} bytes, back_narrative takes ${BACK_NARRATIVE_DATA_LENGTH}`);
  }
  const narrativeId = narrativeIdFromBytes(bytes.subarray(8, 24));
  const lamports = bytes.readBigUInt64LE(24);
  const deadlineUnix = bytes.readBigInt64LE(32);
  if (keys.length < 5) return fail('AccountNotEnoughKeys', `back_narrative takes 5 accounts, got ${keys.length}`);
  const [backer, record, vault, state, system] = keys as [AccountMetaLike, AccountMetaLike, AccountMetaLike, AccountMetaLike, AccountMetaLike];
  if (!backer.isSigner) return fail('AccountNotSigner', 'the backer account did not sign');
  const pdas = backNarrativePdas(programId, narrativeId, backer.pubkey);
  const expected: Array<[AccountMetaLike, PublicKey, string]> = [[record, pdas.backingRecord, 'backing record'], [vault, pdas.vault, 'vault'], [state, pdas.state, 'state']];
  for (const [meta, pda, name] of expected) {
    if (!meta.pubkey.equals(pda)) return fail('ConstraintSeeds', `the ${name} account is not the PDA of its seeds`);
  }
  for (const [meta, name] of [[backer, 'backer'], [record, 'backing record'], [vault, 'vault'], [state, 'state']] as const) {
    if (!meta.isWritable) return fail('ConstraintMut', `the ${name} account must be writable`);
  }
  if (!system.pubkey.equals(SystemProgram.programId)) return fail('InvalidProgramId', 'the fifth account must be the System Program');
  if (lamports < MIN_BACKING_LAMPORTS) return fail('AmountTooSmall', `${lamports} lamports is below the 0.001 SOL minimum`);
  if (lamports > MAX_BACKING_LAMPORTS) return fail('AmountTooLarge', `${lamports} lamports is above the 10 SOL maximum`);
  return { ok: true, value: { narrativeId, lamports, deadlineUnix, backer: backer.pubkey, pdas } };
}

// sendTransaction as a real node's preflight would judge it: deserialise, verify every ed25519 signature, refuse a
// replay and an unknown or expired blockhash, charge the fee (5000 lamports per signature plus the ComputeBudget
// priority fee), execute ComputeBudget and back_narrative instructions byte for byte, and only then move lamports.
// Every refusal is the JSON-RPC error a node gives, and a refused transaction moves nothing. With skipPreflight a
// transaction that fails while executing lands anyway (fee charged, error in its status), as on a real cluster.
import { createHash } from 'node:crypto';
import { ComputeBudgetProgram, PublicKey, SystemProgram, VersionedTransaction } from '@solana/web3.js';
import bs58 from 'bs58';
import nacl from 'tweetnacl';
import { BACK_NARRATIVE_ERRORS, decodeBackNarrativeInstruction, type BackNarrativeErrorName } from '../../chain/back-narrative.js';
import { FORK_BLOCKS } from '../faults/sim-faults.js';
import { blockHeight, type SimState } from '../sim-state.js';
import type { SimBacking } from './sim-ledger.js';
import { simulationFailed, type Judged, type Refusal, type SendResult } from './rpc-errors.js';
import { transactionFee } from './transaction-fee.js';

const ANCHOR_MESSAGES: Record<string, string> = {
  InstructionFallbackNotFound: 'Fallback functions are not supported',
  InstructionDidNotDeserialize: 'The program could not deserialize the given instruction',
  ConstraintMut: 'A mut constraint was violated',
  ConstraintSeeds: 'A seeds constraint was violated',
  AccountNotEnoughKeys: 'Not enough account keys given to the instruction',
  InvalidProgramId: 'Program ID was not as expected',
  AccountNotSigner: 'The given account did not sign',
  AccountNotInitialized: 'The program expected this account to be already initialized',
  AmountTooSmall: 'Backing amount is below the minimum',
  AmountTooLarge: 'Backing amount is above the maximum',
  NarrativeNotFound: 'Narrative not found',
  NarrativeNotOpen: 'Narrative is not open for backing',
  DeadlinePassed: 'The backing deadline has passed',
};

function programError(index: number, programId: string, name: BackNarrativeErrorName | 'AccountNotInitialized', detail: string): Refusal {
  const code = name === 'AccountNotInitialized' ? 3012 : BACK_NARRATIVE_ERRORS[name];
  return simulationFailed(`Error processing Instruction ${index}: custom program error: 0x${code.toString(16)}`, { InstructionError: [index, { Custom: code }] }, [
    `Program ${programId} invoke [1]`,
    'Program log: Instruction: BackNarrative',
    `Program log: AnchorError occurred. Error Code: ${name}. Error Number: ${code}. Error Message: ${ANCHOR_MESSAGES[name] ?? detail}.`,
    `Program log: ${detail}`,
    `Program ${programId} failed: custom program error: 0x${code.toString(16)}`,
  ], true);
}

function invalidParams(message: string): Refusal {
  return { ok: false, error: { code: -32602, message } };
}

const TX_TYPE = 'solana_transaction::versioned::VersionedTransaction';
const PACKET_DATA_SIZE = 1232;
// A node's size limits on the encoded string (agave's "golden" constants).
const MAX_ENCODED = { base58: 1683, base64: 1644 } as const;

/** Decodes the wire string as a node does, with its error messages. */
function decodeWire(encoded: unknown, encoding: 'base58' | 'base64'): Buffer | Refusal {
  if (typeof encoded !== 'string') return invalidParams('Invalid params: invalid type: expected a string');
  if (encoded.length > MAX_ENCODED[encoding]) {
    return invalidParams(`${encoding} encoded ${TX_TYPE} too large: ${encoded.length} bytes (max: encoded/raw ${MAX_ENCODED[encoding]}/${PACKET_DATA_SIZE})`);
  }
  let bytes: Buffer;
  if (encoding === 'base58') {
    try {
      bytes = Buffer.from(bs58.decode(encoded));
    } catch (err) {
      return invalidParams(`invalid base58 encoding: ${(err as Error).message}`);
    }
  } else {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return invalidParams('invalid base64 encoding: InvalidByte');
    bytes = Buffer.from(encoded, 'base64');
  }
  if (bytes.length > PACKET_DATA_SIZE) return invalidParams(`decoded ${TX_TYPE} too large: ${bytes.length} bytes (max: ${PACKET_DATA_SIZE} bytes)`);
  return bytes;
}

interface Backed {
  index: number;
  backing: Omit<SimBacking, 'signature' | 'id' | 'settledLamports' | 'multiplier'>;
}

export interface SendConfig {
  encoding?: unknown;
  skipPreflight?: unknown;
}

export function sendTransaction(state: SimState, encoded: unknown, config: SendConfig = {}): SendResult {
  const encoding = config.encoding === undefined ? 'base58' : config.encoding;
  if (encoding !== 'base64' && encoding !== 'base58') return invalidParams(`unsupported encoding: ${String(encoding)}. Supported encodings: base58, base64`);
  const wire = decodeWire(encoded, encoding);
  if (!Buffer.isBuffer(wire)) return wire;
  let tx: VersionedTransaction;
  try {
    tx = VersionedTransaction.deserialize(wire);
  } catch (err) {
    return invalidParams(`failed to deserialize ${TX_TYPE}: io error: ${(err as Error).message}`);
  }
  const first = tx.signatures[0];
  if (!first) return invalidParams('invalid transaction: Transaction failed to sanitize accounts offsets correctly');
  const signature = bs58.encode(first);
  const judged = judge(state, tx, signature);
  if (judged.ok) {
    if (state.faults.dropTransactions > 0) {
      // Answered like any send, then lost: the client must see it never confirm and let the blockhash expire.
      state.faults.dropTransactions--;
      state.chain.dropped.add(signature);
    } else if (state.faults.forkDrop > 0 && !state.chain.forked.has(signature)) {
      // Processed on a minority fork: its status shows at processed for a few blocks, then the fork is abandoned.
      state.faults.forkDrop--;
      const slot = blockHeight(state);
      state.chain.forked.set(signature, { slot, until: slot + FORK_BLOCKS });
    } else {
      judged.apply();
    }
    return { ok: true, signature };
  }
  if (config.skipPreflight !== true || judged.error.code === -32602) return { ok: false, error: judged.error };
  // skipPreflight: the node forwards without simulating. A transaction that fails while executing still lands
  // (failed, fee charged); one that cannot load (bad signature, unknown blockhash, no fee) is silently dropped.
  if (judged.executed && !state.chain.txs.has(signature)) {
    landFailed(state, tx, signature, judged.executed.err);
  } else if (!state.chain.txs.has(signature)) {
    state.chain.dropped.add(signature);
  }
  return { ok: true, signature };
}

/** A transaction that failed while executing lands anyway: the fee is charged, nothing else moves. */
function landFailed(state: SimState, tx: VersionedTransaction, signature: string, err: unknown): void {
  const f = transactionFee(tx);
  if (!('fee' in f) || state.chain.balance(f.feePayer) < f.fee) return;
  const nowMs = state.clock.now();
  state.chain.debit(f.feePayer, f.fee);
  state.chain.transfers.push({ signature, kind: 'fee', from: f.feePayer, to: null, narrativeId: null, lamports: f.fee, at: nowMs });
  state.chain.record({ signature, slot: blockHeight(state), processedAt: nowMs, feePayer: f.feePayer, feeLamports: f.fee, backings: [], confirmedApplied: false, err });
}

function judge(state: SimState, tx: VersionedTransaction, signature: string): Judged {
  const message = tx.message;
  const keys = message.staticAccountKeys;
  const required = message.header.numRequiredSignatures;
  if (tx.signatures.length !== required || required === 0 || keys.length < required) {
    return invalidParams('invalid transaction: Transaction failed to sanitize accounts offsets correctly');
  }

  // Signatures first, as a node's sigverify stage: a missing (all-zero) or forged signature fails here.
  const messageBytes = message.serialize();
  for (let i = 0; i < required; i++) {
    if (!nacl.sign.detached.verify(messageBytes, tx.signatures[i]!, keys[i]!.toBytes())) {
      return { ok: false, error: { code: -32003, message: 'Transaction signature verification failure' } };
    }
  }
  // A node checks the blockhash's age before its status cache: bytes whose blockhash expired are "Blockhash not
  // found" even when they landed (the node no longer keeps their status to say "already processed").
  const height = blockHeight(state);
  const issued = state.chain.blockhashes.get(message.recentBlockhash);
  if (issued === undefined || height > issued + state.faults.blockhashTtl) return simulationFailed('Blockhash not found', 'BlockhashNotFound');
  if (state.chain.txs.has(signature)) return simulationFailed('This transaction has already been processed', 'AlreadyProcessed');
  if (message.addressTableLookups.length > 0) {
    return simulationFailed("Transaction loads an address table account that doesn't exist", 'AddressLookupTableNotFound');
  }

  const feePayer = keys[0]!.toBase58();
  const programId = new PublicKey(state.programId);
  const metas = (idx: number[]) => idx.map((k) => ({ pubkey: keys[k]!, isSigner: message.isAccountSigner(k), isWritable: message.isAccountWritable(k) }));

  // ComputeBudget instructions set the fee before anything executes (the runtime reads them first).
  const charged = transactionFee(tx);
  if (!('fee' in charged)) return charged;
  const { fee } = charged;
  const payerBalance = state.chain.balance(feePayer);
  if (payerBalance === 0n) return simulationFailed('Attempt to debit an account but found no record of a prior credit.', 'AccountNotFound');
  if (payerBalance < fee) return simulationFailed('Insufficient funds for fee', 'InsufficientFundsForFee');

  // Execute on a scratch copy of the balances so that a failure anywhere moves nothing.
  const spend = new Map<string, bigint>([[feePayer, fee]]);
  const backed: Backed[] = [];
  const nowMs = state.clock.now();
  for (const [index, ix] of message.compiledInstructions.entries()) {
    const program = keys[ix.programIdIndex]!;
    if (program.equals(ComputeBudgetProgram.programId)) continue;
    if (!program.equals(programId)) {
      if (program.equals(SystemProgram.programId)) {
        return simulationFailed(`Error processing Instruction ${index}: the simulator executes only back_narrative and ComputeBudget instructions`, { InstructionError: [index, 'UnsupportedProgramId'] });
      }
      return simulationFailed('Attempt to load a program that does not exist', 'ProgramAccountNotFound');
    }
    const decoded = decodeBackNarrativeInstruction(programId, metas(ix.accountKeyIndexes), ix.data);
    if (!decoded.ok) return programError(index, state.programId, decoded.error, decoded.detail);
    const d = decoded.value;
    const narrative = state.world.get(d.narrativeId);
    if (!narrative) return programError(index, state.programId, 'AccountNotInitialized', `no narrative state account for ${d.narrativeId}`);
    if (state.faults.refuseNarratives.has(d.narrativeId)) {
      return programError(index, state.programId, 'NarrativeNotOpen', `narrative ${d.narrativeId} is refused by this node (fault)`);
    }
    if (narrative.status !== 'open' && narrative.status !== 'live') {
      return programError(index, state.programId, 'NarrativeNotOpen', `narrative ${d.narrativeId} is ${narrative.status}`);
    }
    if (d.deadlineUnix * 1000n <= BigInt(nowMs)) return programError(index, state.programId, 'DeadlinePassed', `deadline ${d.deadlineUnix} is not in the future`);
    const backer = d.backer.toBase58();
    const need = (spend.get(backer) ?? 0n) + d.lamports;
    const have = state.chain.balance(backer);
    if (have < need) {
      return simulationFailed(`Error processing Instruction ${index}: custom program error: 0x1`, { InstructionError: [index, { Custom: 1 }] }, [
        `Program ${state.programId} invoke [1]`,
        'Program log: Instruction: BackNarrative',
        'Program 11111111111111111111111111111111 invoke [2]',
        `Transfer: insufficient lamports ${have - (spend.get(backer) ?? 0n)}, need ${d.lamports}`,
        'Program 11111111111111111111111111111111 failed: custom program error: 0x1',
      ], true);
    }
    spend.set(backer, need);
    backed.push({ index, backing: { wallet: backer, narrativeId: d.narrativeId, lamports: d.lamports, deadlineUnix: d.deadlineUnix, processedAt: nowMs } });
  }

  return { ok: true, apply: () => applyBackings(state, { signature, slot: height, nowMs, feePayer, fee, backed }) };
}

function applyBackings(state: SimState, t: { signature: string; slot: number; nowMs: number; feePayer: string; fee: bigint; backed: Backed[] }): void {
  const { signature, nowMs } = t;
  state.chain.debit(t.feePayer, t.fee);
  state.chain.transfers.push({ signature, kind: 'fee', from: t.feePayer, to: null, narrativeId: null, lamports: t.fee, at: nowMs });
  const backings: SimBacking[] = t.backed.map(({ index, backing }) => {
    // A position id derived from the signature: stable across runs and reports.
    const id = createHash('sha256').update(`${signature}:${index}`).digest('hex');
    const b: SimBacking = { ...backing, signature, settledLamports: null, multiplier: 1, id: `${id.slice(0, 8)}-${id.slice(8, 12)}-4${id.slice(13, 16)}-a${id.slice(17, 20)}-${id.slice(20, 32)}` };
    state.chain.debit(b.wallet, b.lamports);
    state.chain.creditVault(b.narrativeId, b.lamports);
    state.chain.transfers.push({ signature, kind: 'backing', from: b.wallet, to: `vault:${b.narrativeId}`, narrativeId: b.narrativeId, lamports: b.lamports, at: nowMs });
    return b;
  });
  state.chain.record({ signature, slot: t.slot, processedAt: nowMs, feePayer: t.feePayer, feeLamports: t.fee, backings, confirmedApplied: false, err: null });
  if (state.faults.rpcOutageOnLand && backings.length > 0) {
    // The transfer is in; the node goes down right after (the answer to this very send still gets out).
    const remaining = state.faults.rpcOutageOnLand === true ? -1 : state.faults.rpcOutageOnLand;
    state.faults.rpcOutageOnLand = false;
    state.faults.bursts.push({ family: 'rpc', kind: 'error', remaining, status: 503 });
  }
}

// The fee a transaction pays, as the runtime computes it before executing anything: 5000 lamports per signature
// plus the priority fee, ceil(compute-unit price in micro-lamports × compute-unit limit / 10^6), where the limit is
// the SetComputeUnitLimit value or 200,000 per non-ComputeBudget instruction (at most 1.4M). Malformed or
// duplicated ComputeBudget instructions fail the transaction here, as they do on a node.
import { ComputeBudgetProgram, type VersionedTransaction } from '@solana/web3.js';
import { simulationFailed, type Refusal } from './rpc-errors.js';

export const LAMPORTS_PER_SIGNATURE = 5000n;
const DEFAULT_UNITS_PER_INSTRUCTION = 200_000n;
const MAX_UNITS = 1_400_000n;

export function transactionFee(tx: VersionedTransaction): { fee: bigint; feePayer: string } | Refusal {
  const message = tx.message;
  const keys = message.staticAccountKeys;
  let unitPrice = 0n;
  let unitLimit: bigint | null = null;
  let others = 0n;
  const seenBudget = new Set<number>();
  for (const [index, ix] of message.compiledInstructions.entries()) {
    const program = keys[ix.programIdIndex];
    if (!program?.equals(ComputeBudgetProgram.programId)) {
      others++;
      continue;
    }
    const data = Buffer.from(ix.data);
    const kind = data[0];
    if (kind !== undefined && seenBudget.has(kind)) {
      return simulationFailed(`Transaction contains a duplicate instruction (${index}) that is not allowed`, { DuplicateInstruction: index });
    }
    if (kind === 3 && data.length === 9) unitPrice = data.readBigUInt64LE(1);
    else if (kind === 2 && data.length === 5) unitLimit = BigInt(data.readUInt32LE(1));
    else if (!((kind === 1 || kind === 4) && data.length === 5)) {
      return simulationFailed(`Error processing Instruction ${index}: invalid instruction data`, { InstructionError: [index, 'InvalidInstructionData'] });
    }
    seenBudget.add(kind);
  }
  const units = unitLimit ?? (others * DEFAULT_UNITS_PER_INSTRUCTION < MAX_UNITS ? others * DEFAULT_UNITS_PER_INSTRUCTION : MAX_UNITS);
  const priorityFee = (unitPrice * units + 999_999n) / 1_000_000n;
  return { fee: LAMPORTS_PER_SIGNATURE * BigInt(message.header.numRequiredSignatures) + priorityFee, feePayer: keys[0]!.toBase58() };
}

// The wallet keypair in the Solana CLI format (a JSON array of 64 numbers), kept at mode 0600. A keypair that other
// users can read is refused: it can spend the wallet's SOL.
import { Keypair } from '@solana/web3.js';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MagmaError } from '../core/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { readFileOrExplain } from '../fs/read-file-or-explain.js';

export function loadKeypair(path: string): Keypair {
  if (!existsSync(path)) {
    throw new MagmaError('WALLET_MISSING', `no wallet keypair at ${path}.`, {
      hint: `Create one with \`magma-agent keygen --out ${path}\` (then fund it), or point wallet.keypairPath / MAGMA_KEYPAIR at yours.`,
    });
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new MagmaError('WALLET_INSECURE', `the wallet keypair ${path} is readable by other users (mode ${mode.toString(8)}).`, {
      hint: `Run \`chmod 600 ${path}\`, then start again.`,
    });
  }
  const text = readFileOrExplain(path, 'the wallet keypair', 'WALLET_INVALID');
  let numbers: unknown;
  try {
    numbers = JSON.parse(text);
  } catch {
    throw new MagmaError('WALLET_INVALID', `the wallet keypair ${path} is not JSON.`, { hint: 'It must be a Solana CLI keypair file: a JSON array of 64 numbers.' });
  }
  if (!Array.isArray(numbers) || numbers.length !== 64 || !numbers.every((n) => Number.isInteger(n) && n >= 0 && n <= 255)) {
    throw new MagmaError('WALLET_INVALID', `the wallet keypair ${path} is not a Solana CLI keypair.`, { hint: 'It must be a JSON array of 64 numbers from 0 to 255.' });
  }
  try {
    return Keypair.fromSecretKey(Uint8Array.from(numbers as number[]));
  } catch (cause) {
    throw new MagmaError('WALLET_INVALID', `the wallet keypair ${path} does not hold a valid ed25519 key.`, { cause, hint: 'Restore the file from your backup.' });
  }
}

/** Writes a new keypair (0600). Never overwrites: an existing file may be the only copy of a funded wallet. */
export function generateKeypairFile(path: string): Keypair {
  if (existsSync(path)) {
    throw new MagmaError('WALLET_EXISTS', `${path} already exists; refusing to overwrite a keypair.`, {
      hint: 'Choose another --out path, or move the old file away first if you really mean to replace it.',
    });
  }
  const keypair = Keypair.generate();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileAtomic(path, JSON.stringify(Array.from(keypair.secretKey)) + '\n', 0o600);
  return keypair;
}

// The wallet keypair in the Solana CLI format (a JSON array of 64 numbers), kept at mode 0600. A keypair that other
// users can read is refused: it can spend the wallet's SOL. The key is held as tweetnacl gives it: the Solana client
// (@solana/web3.js, tens of MB in memory) is loaded only by what signs transactions, not by every command that needs
// the wallet's address.
import bs58 from 'bs58';
import nacl from 'tweetnacl';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MagmaError } from '../core/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { accessProblem, readFileOrExplain } from '../fs/read-file-or-explain.js';

/** A wallet's public key: what the agent shows and sends (base58), and its 32 bytes. */
export class WalletPublicKey {
  constructor(private readonly bytes: Uint8Array) {}

  toBase58(): string {
    return bs58.encode(this.bytes);
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  toString(): string {
    return this.toBase58();
  }
}

/** An ed25519 keypair in Solana's layout: the 64-byte secret key is the 32-byte seed then the public key. */
export interface WalletKeypair {
  readonly publicKey: WalletPublicKey;
  readonly secretKey: Uint8Array;
}

/** The keypair of a 64-byte secret key; throws when its second half is not the seed's public key. */
export function walletKeypair(secretKey: Uint8Array): WalletKeypair {
  if (secretKey.length !== 64) throw new Error('bad secret key size');
  const derived = nacl.sign.keyPair.fromSeed(secretKey.slice(0, 32)).publicKey;
  for (let i = 0; i < 32; i++) if (derived[i] !== secretKey[32 + i]) throw new Error('provided secretKey is invalid');
  return { publicKey: new WalletPublicKey(derived), secretKey };
}

export function loadKeypair(path: string): WalletKeypair {
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
    return walletKeypair(Uint8Array.from(numbers as number[]));
  } catch (cause) {
    throw new MagmaError('WALLET_INVALID', `the wallet keypair ${path} does not hold a valid ed25519 key.`, { cause, hint: 'Restore the file from your backup.' });
  }
}

/** Writes a new keypair (0600). Never overwrites: an existing file may be the only copy of a funded wallet. */
export function generateKeypairFile(path: string): WalletKeypair {
  if (existsSync(path)) {
    throw new MagmaError('WALLET_EXISTS', `${path} already exists; refusing to overwrite a keypair.`, {
      hint: 'Choose another --out path, or move the old file away first if you really mean to replace it.',
    });
  }
  const keypair = walletKeypair(nacl.sign.keyPair().secretKey);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileAtomic(path, JSON.stringify(Array.from(keypair.secretKey)) + '\n', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
    // the folder closed to this user: say whose it is (keygen run as the service user before its folder exists)
    let dir = dirname(path);
    while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
    throw new MagmaError('DATA_DIR_UNWRITABLE', `cannot write the keypair ${path}: ${accessProblem([dir]) ?? `${dir}: permission denied`}.`, {
      cause: err,
      hint: 'Create the folder for the user that runs the agent first (README, "Run under systemd", step 1), run keygen as that user (`sudo -u magma …`), or choose another --out.',
    });
  }
  return keypair;
}

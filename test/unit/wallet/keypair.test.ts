import { Keypair } from '@solana/web3.js';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeypairFile, loadKeypair, walletKeypair } from '../../../src/wallet/keypair.js';

describe('the wallet keypair file', () => {
  it('writes a Solana CLI keypair (0600) that the Solana client reads as the same wallet', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'magma-kp-')), 'wallet.json');
    const made = generateKeypairFile(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const numbers = JSON.parse(readFileSync(path, 'utf8')) as number[];
    expect(numbers).toHaveLength(64);
    const solana = Keypair.fromSecretKey(Uint8Array.from(numbers)); // validates that the halves belong together
    expect(made.publicKey.toBase58()).toBe(solana.publicKey.toBase58());
    expect(loadKeypair(path).publicKey.toBase58()).toBe(solana.publicKey.toBase58());
    expect(Buffer.from(loadKeypair(path).secretKey).equals(Buffer.from(solana.secretKey))).toBe(true);
  });

  it('reads a key the Solana client made, and refuses one whose public half does not match its seed', () => {
    const solana = Keypair.generate();
    expect(walletKeypair(solana.secretKey).publicKey.toBase58()).toBe(solana.publicKey.toBase58());
    const dir = mkdtempSync(join(tmpdir(), 'magma-kp-'));
    const path = join(dir, 'bad.json');
    const bad = Array.from(solana.secretKey);
    bad[40] = (bad[40]! + 1) % 256;
    writeFileSync(path, JSON.stringify(bad));
    chmodSync(path, 0o600);
    expect(() => loadKeypair(path)).toThrow(/does not hold a valid ed25519 key/);
  });
});

// `magma-agent keygen --out FILE`: a new wallet keypair in the Solana CLI format, mode 0600.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { generateKeypairFile } from '../../wallet/keypair.js';

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('create a new wallet keypair file (Solana CLI format, mode 0600); never overwrites')
    .requiredOption('--out <file>', 'where to write the keypair')
    .action((opts: { out: string }) => {
      const path = resolve(opts.out);
      const keypair = generateKeypairFile(path);
      process.stdout.write(`wrote ${path} (mode 0600)\npublic key: ${keypair.publicKey.toBase58()}\nBack it up somewhere safe, then fund the public key with SOL.\n`);
    });
}

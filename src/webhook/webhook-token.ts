// The unguessable path token of the webhook URL, kept in the data directory (0600) so the registered URL stays
// valid across restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.js';

export function webhookToken(dataDir: string): string {
  const path = join(dataDir, 'webhook-token');
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(token)) return token;
  }
  const token = randomBytes(32).toString('hex');
  writeFileAtomic(path, token + '\n', 0o600);
  return token;
}

// The agent API key is shown once by MAGMA at registration: it is persisted atomically (0600) before anything
// else is done with it, and a stored key means the agent never registers again.
import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { readFileOrExplain } from '../fs/read-file-or-explain.js';
import { join } from 'node:path';
import { MagmaError } from '../core/errors.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { RegisteredAgent } from '../ports/magma-api.js';

export const AGENT_KEY_FILE = 'agent-key.json';
const ATTEMPT_FILE = 'register-attempt.json';
/**
 * `run --sim` registers with the in-process simulator: its key (and attempt marker) live beside the live ones under
 * other names, so a rehearsal in the live data directory never leaves a simulator key that `register` and `run`
 * would then take for MAGMA's.
 */
const fileName = (name: string, sim: boolean) => (sim ? name.replace(/\.json$/, '.sim.json') : name);

export interface StoredAgent {
  agentId: string;
  apiKey: string;
  walletAddress: string;
  name: string;
  createdAt: string;
  apiUrl: string;
}

export function agentKeyPath(dataDir: string, sim = false): string {
  return join(dataDir, fileName(AGENT_KEY_FILE, sim));
}

export function registerAttemptPath(dataDir: string, sim = false): string {
  return join(dataDir, fileName(ATTEMPT_FILE, sim));
}

export function readStoredAgent(dataDir: string, sim = false): { agent: StoredAgent; looseMode: boolean } | null {
  const path = agentKeyPath(dataDir, sim);
  if (!existsSync(path)) return null;
  const text = readFileOrExplain(path, 'the stored agent key', 'CONFIG_INVALID');
  let parsed: Partial<StoredAgent>;
  try {
    parsed = JSON.parse(text) as Partial<StoredAgent>;
  } catch (cause) {
    throw new MagmaError('CONFIG_INVALID', `the stored agent key ${path} is not valid JSON.`, {
      cause,
      hint: 'Restore it from a backup, or set MAGMA_API_KEY; do not register again while the old agent exists.',
    });
  }
  if (typeof parsed.apiKey !== 'string' || !parsed.apiKey) {
    throw new MagmaError('CONFIG_INVALID', `the stored agent key ${path} holds no apiKey.`, { hint: 'Restore it from a backup, or set MAGMA_API_KEY.' });
  }
  const looseMode = (statSync(path).mode & 0o077) !== 0;
  return { agent: parsed as StoredAgent, looseMode };
}

export function storeAgent(dataDir: string, agent: RegisteredAgent, apiUrl: string, sim = false): StoredAgent {
  const stored: StoredAgent = { ...agent, apiUrl };
  writeFileAtomic(agentKeyPath(dataDir, sim), JSON.stringify(stored, null, 2) + '\n', 0o600);
  clearRegisterAttempt(dataDir, sim);
  return stored;
}

/** Marks that a register call is in flight: if we crash before the answer is stored, the next start knows. */
export function markRegisterAttempt(dataDir: string, walletAddress: string, at: string, sim = false): void {
  writeFileAtomic(registerAttemptPath(dataDir, sim), JSON.stringify({ walletAddress, at }) + '\n', 0o600);
}

export function readRegisterAttempt(dataDir: string, sim = false): { walletAddress: string; at: string } | null {
  const path = registerAttemptPath(dataDir, sim);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { walletAddress: string; at: string };
  } catch {
    return { walletAddress: 'unknown', at: 'unknown' };
  }
}

export function clearRegisterAttempt(dataDir: string, sim = false): void {
  const path = registerAttemptPath(dataDir, sim);
  if (existsSync(path)) unlinkSync(path);
}

import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MagmaError } from '../../../src/core/errors.js';
import { ensureAgentKey } from '../../../src/credentials/ensure-agent-key.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { MagmaApi } from '../../../src/ports/magma-api.js';

const WALLET = '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU';

function setup(register: MagmaApi['register']) {
  const dataDir = mkdtempSync(join(tmpdir(), 'magma-key-'));
  let calls = 0;
  const api = { register: async (...a: Parameters<MagmaApi['register']>) => { calls++; return register(...a); } } as MagmaApi;
  const run = () => ensureAgentKey({ dataDir, api, apiUrl: 'http://127.0.0.1:1', walletAddress: WALLET, name: 'bot', apiKeyOverride: null, logger: silentLogger(), nowIso: () => '2026-05-20T00:00:00Z' });
  return { dataDir, run, calls: () => calls };
}

const agent = { agentId: 'ag_1', apiKey: 'mgma_key_for_tests_only_123456', name: 'bot', walletAddress: WALLET, createdAt: '2026-05-20T00:00:00Z' };

describe('the agent key', () => {
  it('registers once, stores the key 0600 before returning it, and never registers again', async () => {
    const t = setup(async () => agent);
    expect(await t.run()).toEqual({ apiKey: agent.apiKey, source: 'registered', agentId: 'ag_1' });
    const path = join(t.dataDir, 'agent-key.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8')).apiKey).toBe(agent.apiKey);
    expect((await t.run()).source).toBe('stored');
    expect(t.calls()).toBe(1);
  });

  it('a failure before the request left the machine (DNS, refused, TLS) can be retried at once', async () => {
    for (const code of ['ENOTFOUND', 'ECONNREFUSED', 'EHOSTUNREACH', 'CERT_HAS_EXPIRED']) {
      const t = setup(async () => { throw new MagmaError('NETWORK', `failed: ${code}`, { context: { code, retryable: true } }); });
      await expect(t.run()).rejects.toMatchObject({ code: 'NETWORK' });
      expect(existsSync(join(t.dataDir, 'register-attempt.json'))).toBe(false);
    }
  });

  it('an answer that may have been lost is never retried blindly: the next start explains how to recover', async () => {
    const t = setup(async () => { throw new MagmaError('NETWORK', 'socket hang up', { context: { code: 'ECONNRESET', retryable: true } }); });
    await expect(t.run()).rejects.toMatchObject({ code: 'REGISTER_AMBIGUOUS' });
    const again = await t.run().catch((e: unknown) => e as MagmaError);
    expect(again).toMatchObject({ code: 'REGISTER_AMBIGUOUS' });
    expect((again as MagmaError).hint).toMatch(/set MAGMA_API_KEY.*delete .*register-attempt.json/);
    expect(t.calls()).toBe(1);
  });

  it('a shutdown while the call is in flight does not cancel it: the key is stored, no marker is left', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'magma-key-'));
    const stop = new AbortController();
    let seen: AbortSignal | undefined;
    // the shutdown (an EPIPE from `run | head -1`, SIGTERM) arrives while MAGMA is answering
    const api = { register: async (_req: unknown, signal?: AbortSignal) => { seen = signal; stop.abort(new Error('received SIGTERM')); return agent; } } as MagmaApi;
    const key = await ensureAgentKey({ dataDir, api, apiUrl: 'http://127.0.0.1:1', walletAddress: WALLET, name: 'bot', apiKeyOverride: null, logger: silentLogger(), nowIso: () => '2026-05-20T00:00:00Z', signal: stop.signal });
    expect(seen).toBeUndefined();
    expect(key.source).toBe('registered');
    expect(existsSync(join(dataDir, 'register-attempt.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dataDir, 'agent-key.json'), 'utf8')).apiKey).toBe(agent.apiKey);
  });

  it('a shutdown before the call sends nothing and leaves no marker', async () => {
    const stop = new AbortController();
    stop.abort(new Error('received SIGTERM'));
    const dataDir = mkdtempSync(join(tmpdir(), 'magma-key-'));
    const api = { register: async () => { throw new Error('must not be called'); } } as unknown as MagmaApi;
    await expect(ensureAgentKey({ dataDir, api, apiUrl: 'http://127.0.0.1:1', walletAddress: WALLET, name: 'bot', apiKeyOverride: null, logger: silentLogger(), nowIso: () => '2026-05-20T00:00:00Z', signal: stop.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(existsSync(join(dataDir, 'register-attempt.json'))).toBe(false);
  });

  it('a definite refusal clears the attempt and says why', async () => {
    const t = setup(async () => { throw new MagmaError('API_BAD_REQUEST', 'wallet_address must be a Solana address'); });
    await expect(t.run()).rejects.toMatchObject({ code: 'REGISTER_REFUSED' });
    expect(existsSync(join(t.dataDir, 'register-attempt.json'))).toBe(false);
  });
});

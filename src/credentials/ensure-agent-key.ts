// Gets the agent API key: MAGMA_API_KEY, else the stored key, else one registration (persisted before use).
// A register call whose answer may have been lost is never blindly repeated: MAGMA shows the key once and allows
// ~5 registrations an hour per IP, so the operator is told how to recover instead.
import { MagmaError, isMagmaError } from '../core/errors.js';
import { crashPoint } from '../testing/crash-point.js';
import type { Logger } from '../log/logger.js';
import type { MagmaApi } from '../ports/magma-api.js';
import { clearRegisterAttempt, markRegisterAttempt, readRegisterAttempt, readStoredAgent, registerAttemptPath, storeAgent, agentKeyPath } from './agent-key-file.js';

export interface EnsureAgentKeyInput {
  dataDir: string;
  api: MagmaApi;
  apiUrl: string;
  walletAddress: string;
  name: string;
  description?: string;
  apiKeyOverride: string | null;
  logger: Logger;
  nowIso: () => string;
  signal?: AbortSignal;
  /** `run --sim`: the simulator's key, kept apart from MAGMA's (agent-key.sim.json). */
  sim?: boolean;
}

export interface AgentKey {
  apiKey: string;
  /** x402: none (api.auth "x402" pays per call instead; apiKey is empty). */
  source: 'env' | 'stored' | 'registered' | 'x402';
  agentId: string | null;
}

/** Errors that prove the server created nothing: safe to forget the attempt. */
const DEFINITE_REFUSALS = new Set(['API_BAD_REQUEST', 'API_FORBIDDEN', 'API_RATE_LIMITED', 'API_UNAUTHORIZED', 'API_NOT_FOUND']);

/** Failures that happen before the request is sent: the server cannot have seen it. */
function neverSent(code: string): boolean {
  return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'].includes(code)
    || /^(CERT_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|ERR_SSL_)/.test(code);
}

export async function ensureAgentKey(input: EnsureAgentKeyInput): Promise<AgentKey> {
  const { dataDir, logger } = input;
  const sim = input.sim === true;
  if (input.apiKeyOverride) return { apiKey: input.apiKeyOverride, source: 'env', agentId: null };

  const stored = readStoredAgent(dataDir, sim);
  if (stored) {
    if (stored.looseMode) logger.warn('agent_key.loose_mode', { path: agentKeyPath(dataDir, sim), msg: `other users can read the stored API key: run chmod 600 ${agentKeyPath(dataDir, sim)}` });
    if (stored.agent.walletAddress && stored.agent.walletAddress !== input.walletAddress) {
      logger.warn('agent_key.wallet_mismatch', { stored_wallet: stored.agent.walletAddress, wallet: input.walletAddress, msg: 'the stored agent was registered for another wallet; portfolio and history follow that wallet' });
    }
    return { apiKey: stored.agent.apiKey, source: 'stored', agentId: stored.agent.agentId ?? null };
  }

  const attempt = readRegisterAttempt(dataDir, sim);
  if (attempt) {
    throw new MagmaError('REGISTER_AMBIGUOUS', `an earlier registration for wallet ${attempt.walletAddress} (at ${attempt.at}) may have created an agent whose key was never stored.`, {
      hint: `If you have that key, set MAGMA_API_KEY. If you are sure no agent was created, delete ${registerAttemptPath(dataDir, sim)} and run \`magma-agent register\` again (registration is limited to ~5/hour).`,
    });
  }

  // Stopping before the call sends nothing; once sent, the call is never cancelled by a shutdown (an EPIPE from
  // `run | head -1`, SIGTERM): its answer holds a key MAGMA shows only once, and a cancelled call would leave the
  // marker behind for an agent that may exist. It is bounded by api.timeoutMs instead.
  if (input.signal?.aborted) throw new MagmaError('ABORTED', 'stopped before registering: nothing was sent to MAGMA.');
  markRegisterAttempt(dataDir, input.walletAddress, input.nowIso(), sim);
  let agent;
  try {
    agent = await input.api.register({ walletAddress: input.walletAddress, name: input.name, ...(input.description ? { description: input.description } : {}) });
  } catch (err) {
    if (isMagmaError(err) && DEFINITE_REFUSALS.has(err.code)) {
      clearRegisterAttempt(dataDir, sim);
      throw new MagmaError('REGISTER_REFUSED', `MAGMA refused the registration: ${err.message}`, {
        cause: err,
        hint: err.code === 'API_RATE_LIMITED' ? 'Registration is limited to ~5/hour per IP: wait and try again.' : 'Check the wallet address and agent name; if this wallet already has an agent, set MAGMA_API_KEY to its key.',
      });
    }
    if ((isMagmaError(err, 'NETWORK') || isMagmaError(err, 'API_TIMEOUT')) && neverSent(err.context.code)) {
      // The request never reached the server (no connection, no name, no TLS): nothing can have been created.
      clearRegisterAttempt(dataDir, sim);
      throw err;
    }
    // The answer may have been lost after the server created the agent: keep the marker, explain.
    throw new MagmaError('REGISTER_AMBIGUOUS', `the registration call failed without a clear answer (${isMagmaError(err) ? err.message : String(err)}); MAGMA may have created the agent anyway.`, {
      cause: err,
      hint: `Do not retry in a loop. If the agent exists (check the leaderboard or the MAGMA app), set MAGMA_API_KEY; otherwise delete ${registerAttemptPath(dataDir, sim)} and run \`magma-agent register\` again.`,
    });
  }
  // The most dangerous moment: the server holds an agent whose key exists only in this process's memory.
  crashPoint('after-register-response');
  // Persist before anything else is done with the key: it is shown only once.
  storeAgent(dataDir, agent, input.apiUrl, sim);
  logger.info('agent.registered', { agent_id: agent.agentId, wallet: agent.walletAddress, path: agentKeyPath(dataDir, sim) });
  return { apiKey: agent.apiKey, source: 'registered', agentId: agent.agentId };
}

// What the read commands (status, portfolio, history, leaderboard) share: the configuration, a MAGMA client with
// the agent key (MAGMA_API_KEY, else the stored one; read commands never register), and a clean close.
import { resolve } from 'node:path';
import { readStoredAgent } from '../credentials/agent-key-file.js';
import { MagmaError } from '../core/errors.js';
import { HttpTransport } from '../http/transport.js';
import { HttpMagmaApi } from '../magma/http-magma-api.js';
import { rateBudgetFromConfig } from '../magma/rate-budget-from-config.js';
import { SystemClock } from '../clock/system-clock.js';
import { loadRuntime, type GlobalOptions, type Runtime } from './runtime.js';

export interface ReadClient extends Runtime {
  api: HttpMagmaApi;
  apiKey: string | null;
  /** Throws API_UNAUTHORIZED with what to do when no key is known. */
  requireKey(): string;
  close(): Promise<void>;
}

export function openReadClient(opts: GlobalOptions): ReadClient {
  const runtime = loadRuntime(opts);
  const { config, loaded, logger } = runtime;
  const apiKey = loaded.apiKeyOverride ?? readStoredAgent(resolve(config.dataDir))?.agent.apiKey ?? null;
  logger.redactor.add(apiKey);
  const clock = new SystemClock();
  const transport = new HttpTransport({ baseUrl: config.api.url, timeoutMs: config.api.timeoutMs });
  const api = new HttpMagmaApi({ transport, apiKey: () => apiKey, budget: rateBudgetFromConfig(config.api, clock), logger, now: () => clock.now() });
  return {
    ...runtime,
    api,
    apiKey,
    requireKey() {
      if (!apiKey) {
        throw new MagmaError('API_UNAUTHORIZED', `no agent API key in ${resolve(config.dataDir)} and MAGMA_API_KEY is not set.`, {
          hint: 'Run `magma-agent register` once (or `magma-agent run`), or set MAGMA_API_KEY.',
        });
      }
      return apiKey;
    },
    close: () => transport.close(),
  };
}

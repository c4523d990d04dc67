// `magma-agent register`: registers the agent once and stores its key (0600, atomically) before anything else.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadWallet } from '../../app/agent.js';
import { agentKeyPath, readStoredAgent } from '../../credentials/agent-key-file.js';
import { ensureAgentKey } from '../../credentials/ensure-agent-key.js';
import { HttpTransport } from '../../http/transport.js';
import { HttpMagmaApi } from '../../magma/http-magma-api.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';

interface RegisterOptions extends GlobalOptions {
  name?: string;
  description?: string;
}

export function registerRegister(program: Command): void {
  program
    .command('register')
    .description('register this agent with MAGMA once and store its API key (never registers twice)')
    .option('--name <name>', 'display name (default: agent.name from config)')
    .option('--description <text>', 'optional description')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<RegisterOptions>();
      const { config, logger } = loadRuntime(opts);
      const dataDir = resolve(config.dataDir);
      const existing = readStoredAgent(dataDir);
      if (existing) {
        process.stdout.write(`already registered: agent ${existing.agent.agentId} for wallet ${existing.agent.walletAddress} (key in ${agentKeyPath(dataDir)}). Nothing to do.\n`);
        return;
      }
      const wallet = loadWallet(config, logger);
      const transport = new HttpTransport({ baseUrl: config.api.url, timeoutMs: config.api.timeoutMs });
      try {
        const key = await ensureAgentKey({
          dataDir, api: new HttpMagmaApi({ transport, apiKey: () => null }), apiUrl: config.api.url,
          walletAddress: wallet.publicKey.toBase58(), name: opts.name ?? config.agent.name,
          description: opts.description ?? config.agent.description, apiKeyOverride: null, logger, nowIso: () => new Date().toISOString(),
        });
        process.stdout.write(`registered agent ${key.agentId} for wallet ${wallet.publicKey.toBase58()}; key stored in ${agentKeyPath(dataDir)} (mode 0600).\n`);
      } finally {
        await transport.close();
      }
    });
}

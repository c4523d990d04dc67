// `magma-agent doctor`: checks config, data directory, wallet, stored key, database, API, terms and RPC, and says
// what to fix for each failure. Exit 0 when everything passes, 1 otherwise (78 when the config itself is invalid).
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { databasePath, keypairPath } from '../../app/agent.js';
import { RpcChain } from '../../chain/rpc-chain.js';
import { readStoredAgent } from '../../credentials/agent-key-file.js';
import { errorMessage } from '../../core/errors.js';
import { formatSol, solToLamports } from '../../core/money.js';
import { HttpTransport } from '../../http/transport.js';
import { HttpMagmaApi } from '../../magma/http-magma-api.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { loadKeypair } from '../../wallet/keypair.js';
import { ensureDataDir } from '../../fs/data-dir.js';
import { SystemClock } from '../../clock/system-clock.js';
import { createPriceSource } from '../../prices/create-price-source.js';
import { loadRuntime, type GlobalOptions } from '../runtime.js';

/** Providers put API keys in query strings (…/rpc?api-key=…): never print them. */
function withoutQuery(url: string): string {
  const u = new URL(url);
  return u.search ? `${u.origin}${u.pathname}?…` : url;
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check config, wallet, database and reachability, and say what to fix')
    .option('--json', 'print the checks as JSON')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
      const { config, loaded } = loadRuntime(opts);
      const checks: Check[] = [{ name: 'config', ok: true, detail: loaded.configFile ? `loaded ${loaded.configFile}` : 'defaults (no --config / MAGMA_CONFIG)' }];
      const add = async (name: string, run: () => string | Promise<string>) => {
        try {
          checks.push({ name, ok: true, detail: await run() });
        } catch (err) {
          checks.push({ name, ok: false, detail: errorMessage(err) });
        }
      };
      const dataDir = resolve(config.dataDir);
      await add('data directory', () => {
        ensureDataDir(dataDir);
        return `${dataDir} is writable`;
      });
      let wallet: string | null = null;
      await add('wallet', () => {
        wallet = loadKeypair(keypairPath(config)).publicKey.toBase58();
        return `${keypairPath(config)} (mode 0600), public key ${wallet}`;
      });
      let agentKey: string | null = loaded.apiKeyOverride;
      await add('agent key', () => {
        if (loaded.apiKeyOverride) return 'MAGMA_API_KEY is set';
        const stored = readStoredAgent(dataDir);
        agentKey = stored?.agent.apiKey ?? null;
        if (!stored) throw new Error('no key stored yet: `magma-agent register` (or the first `run`) registers once, or set MAGMA_API_KEY.');
        if (stored.looseMode) throw new Error(`the stored key file is readable by others: chmod 600 ${dataDir}/agent-key.json`);
        return `agent ${stored.agent.agentId} stored for wallet ${stored.agent.walletAddress}`;
      });
      await add('database', () => {
        const store = SqliteStore.open(databasePath(config));
        try {
          const integrity = store.integrityCheck();
          if (integrity !== 'ok') throw new Error(`integrity_check says: ${integrity}. Restore from a backup.`);
          return `${store.path} (schema v${store.schemaVersion}, integrity ok)`;
        } finally {
          store.close();
        }
      });
      const api = new HttpTransport({ baseUrl: config.api.url, timeoutMs: Math.min(config.api.timeoutMs, 5000), readRetries: 0 });
      const rpc = new HttpTransport({ baseUrl: config.rpc.url, timeoutMs: Math.min(config.rpc.timeoutMs, 5000), readRetries: 0 });
      try {
        const magma = new HttpMagmaApi({ transport: api, apiKey: () => null });
        await add('MAGMA API', async () => {
          await magma.health().catch((err: unknown) => {
            throw new Error(`${withoutQuery(config.api.url)}/v1/health did not say ok (${errorMessage(err)}): MAGMA is down or api.url is wrong.`);
          });
          const s = await magma.systemStatus();
          if (s.halted.length) throw new Error(`reachable at ${withoutQuery(config.api.url)}, but halted: ${s.halted.join(', ')} (no writes until it clears).`);
          return `${withoutQuery(config.api.url)} reachable, nothing halted`;
        });
        if (agentKey) {
          // An authenticated call: a key MAGMA refuses would otherwise only show when the daemon exits 78.
          const key: string = agentKey;
          const authed = new HttpMagmaApi({ transport: api, apiKey: () => key });
          await add('key accepted', async () => {
            const p = await authed.portfolio();
            return `MAGMA accepts the agent key (${p.positions.length} open positions)`;
          });
        }
        if (wallet) {
          const address: string = wallet;
          await add('terms', async () => {
            const t = await magma.termsStatus(address);
            if (!t.accepted) throw new Error('the wallet has not accepted the latest terms: accept them in the MAGMA app.');
            return `accepted (version ${t.termsVersion ?? '?'})`;
          });
          await add('Solana RPC', async () => {
            const chain = new RpcChain({ transport: rpc, commitment: config.rpc.commitment });
            const [height, balance] = await Promise.all([chain.getBlockHeight(), chain.getBalance(address)]);
            const min = solToLamports(config.risk.minBalanceSol);
            if (balance <= min) throw new Error(`reachable (block ${height}), but the wallet holds ${formatSol(balance)}, not above risk.minBalanceSol: fund ${address}.`);
            return `${withoutQuery(config.rpc.url)} at block ${height}; wallet balance ${formatSol(balance)}`;
          });
        }
        await add('prices', async () => {
          const prices = createPriceSource({ config: config.prices, clock: new SystemClock(), timeoutMs: 5000 });
          try {
            const sol = await prices.source.getPrice('SOL');
            return `${config.prices.source} at ${withoutQuery(config.prices.url)}: SOL ${sol} USD`;
          } catch (err) {
            throw new Error(`${config.prices.source} at ${withoutQuery(config.prices.url)} did not answer (${errorMessage(err)}); price-threshold declines until it does. Check prices.url, or use "prices": {"source": "sim", "url": <the simulator's URL>} when rehearsing.`);
          } finally {
            await prices.close();
          }
        });
      } finally {
        await Promise.all([api.close(), rpc.close()]);
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ok: checks.every((c) => c.ok), checks }, null, 2) + '\n');
      } else {
        for (const c of checks) process.stdout.write(`${c.ok ? '✔' : '✘'} ${c.name.padEnd(15)} ${c.detail}\n`);
        process.stdout.write(checks.every((c) => c.ok) ? '\nall checks passed\n' : '\nsome checks failed: fix the ✘ lines above\n');
      }
      if (!checks.every((c) => c.ok)) process.exitCode = 1;
    });
}

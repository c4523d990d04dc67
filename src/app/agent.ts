// The composition root: wires adapters to the one engine. Live and dry-run differ only in what is plugged in here
// (the executor, the x402 payer and the database file); the simulator only changes the URLs and the clock.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import bs58 from 'bs58';
import { RpcChain } from '../chain/rpc-chain.js';
import { SystemClock } from '../clock/system-clock.js';
import { ledgerOf } from '../config/ledger.js';
import type { Config } from '../config/schema.js';
import { ensureAgentKey, type AgentKey } from '../credentials/ensure-agent-key.js';
import type { Engine } from '../engine/engine.js';
import { loadStrategies } from '../engine/load-strategies.js';
import { journalingExecutor } from '../executor/create-executor.js';
import { MagmaLiveness } from '../executor/magma-liveness.js';
import { SqliteJournal } from '../store/sqlite-journal.js';
import { composeEngine, historyWindowMs, type ExecutorGuards } from './compose-engine.js';
import { HttpTransport } from '../http/transport.js';
import type { Logger } from '../log/logger.js';
import { HttpMagmaApi } from '../magma/http-magma-api.js';
import { rateBudgetFromConfig } from '../magma/rate-budget-from-config.js';
import { createMagus } from '../magus/create-magus.js';
import type { Clock } from '../ports/clock.js';
import type { Executor } from '../ports/executor.js';
import type { MagmaApi } from '../ports/magma-api.js';
import type { Ledger } from '../ports/store.js';
import { ensureWebhookRegistered } from '../webhook/ensure-webhook.js';
import { isoNow } from '../ports/clock.js';
import { NarrativeOutcomeSource } from '../outcomes/narrative-outcome-source.js';
import { createPriceSource } from '../prices/create-price-source.js';
import { strategyPriceView } from '../engine/strategy-price-view.js';
import { strategyNarrativeView } from '../engine/strategy-narrative-view.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { ensureDataDir } from '../fs/data-dir.js';
import { generateKeypairFile, loadKeypair } from '../wallet/keypair.js';
import { X402Payments } from '../store/x402-payments.js';
import { createX402Payer } from '../x402/create-payer.js';

export const LIVE_DB = 'magma.db';
export const DRY_RUN_DB = 'magma-dry-run.db';
/** issue 14: a rehearsal against the bundled simulator without --dry-run never writes into the live database. */
export const SIM_DB = 'magma-sim.db';

export interface AgentOptions {
  config: Config;
  logger: Logger;
  apiKeyOverride: string | null;
  clock?: Clock;
  /** Create a throwaway wallet when none exists (simulator rehearsals and the demo only). */
  createWalletIfMissing?: boolean;
  /** Strategy paths in the config are relative to this folder (the config file's); default: the working directory. */
  configDir?: string;
  /** Base URL of the bundled simulator when rehearsing against it (its own database file). */
  simulatorUrl?: string;
  signal?: AbortSignal;
  /** issue 14: sees every HTTP call after it is recorded (in-process metrics and alerts). */
  onCall?: (call: Parameters<SqliteStore['recordApiCall']>[0]) => void;
  /** issue 14: the operator's pause, read once per tick (see src/ops/pause.ts). */
  paused?: () => string | null;
}

export interface Agent {
  engine: Engine;
  api: MagmaApi;
  executor: Executor;
  store: SqliteStore;
  clock: Clock;
  walletAddress: string;
  agentKey: AgentKey;
  /** The ledger the store and journal are bound to. */
  ledger: Ledger;
  /** Registers the webhook URL with MAGMA where writes are sent (once); a dry run only says it does not. */
  registerWebhook(url: string, signal?: AbortSignal): Promise<boolean>;
  dbPath: string;
  /** The names of the strategies loaded (built-ins and plug-ins, as each calls itself). */
  strategyNames: string[];
  /** The executor's guards (the same in every mode). */
  guards: ExecutorGuards;
  close(): Promise<void>;
}

/** `sim`: the bundled simulator is in use (issue 14: never the live file; dry-run already has its own). */
export function databasePath(config: Config, sim = false): string {
  return join(resolve(config.dataDir), config.dryRun ? DRY_RUN_DB : sim ? SIM_DB : LIVE_DB);
}

export function keypairPath(config: Config): string {
  return resolve(config.wallet.keypairPath ?? join(config.dataDir, 'wallet.json'));
}

export function loadWallet(config: Config, logger: Logger, createIfMissing = false) {
  const path = keypairPath(config);
  if (createIfMissing && !existsSync(path)) {
    generateKeypairFile(path);
    logger.warn('wallet.created', { path, msg: 'created a throwaway wallet for the simulator; never fund it with real SOL' });
  }
  const keypair = loadKeypair(path);
  // The secret key must never reach a log, in any of the forms it is usually written.
  logger.redactor.add(bs58.encode(keypair.secretKey));
  logger.redactor.add(JSON.stringify(Array.from(keypair.secretKey)));
  logger.redactor.add(Buffer.from(keypair.secretKey).toString('base64'));
  logger.redactor.add(Buffer.from(keypair.secretKey).toString('hex'));
  return keypair;
}

export async function createAgent(o: AgentOptions): Promise<Agent> {
  const { config, logger } = o;
  const clock = o.clock ?? new SystemClock();
  const dataDir = ensureDataDir(resolve(config.dataDir));
  const keypair = loadWallet(config, logger, o.createWalletIfMissing);
  const walletAddress = keypair.publicKey.toBase58();
  const strategies = await loadStrategies(config.strategies, o.configDir);
  for (const [what, url] of [['api.url', config.api.url], ['rpc.url', config.rpc.url]] as const) {
    const u = new URL(url);
    if (u.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
      logger.warn('config.insecure_url', { key: what, host: u.hostname, msg: `${what} uses plain http to another machine: keys and traffic travel unencrypted; use https` });
    }
  }

  const dbPath = databasePath(config, o.simulatorUrl !== undefined); // --sim keeps its own database
  const store = SqliteStore.open(dbPath, {
    ledger: ledgerOf(config), historyWindowMs: historyWindowMs(config, strategies), retainDays: config.store.retainDays,
  });
  // Crash-only: a tick a killed process left 'running' is closed as interrupted before anything new starts.
  const interrupted = store.closeInterruptedTicks(isoNow(clock));
  if (interrupted) logger.warn('ticks.interrupted', { count: interrupted, msg: 'the last run stopped in the middle of a tick; its records up to that point are kept' });
  const nowIso = () => isoNow(clock);
  const onCall = (call: Parameters<SqliteStore['recordApiCall']>[0]) => {
    logger.debug('api.call', { family: call.family, method: call.method, route: call.route, status: call.status, latency_ms: call.latencyMs, remaining: call.rateLimitRemaining });
    try {
      store.recordApiCall(call);
    } catch (err) {
      logger.warn('store.api_call_not_recorded', { err });
    }
    o.onCall?.(call); // issue 14: in-process metrics and alerts
  };
  const sleep = (ms: number, signal?: AbortSignal) => clock.sleep(ms, signal);
  // Every answer of MAGMA's API (not the RPC's) tells whether it is up: a write after a failed call probes /v1/health.
  const liveness = new MagmaLiveness();
  const apiTransport = new HttpTransport({
    baseUrl: config.api.url, timeoutMs: config.api.timeoutMs, nowIso, sleep,
    onCall: (call) => {
      liveness.observe(call);
      onCall(call);
    },
  });
  const rpcTransport = new HttpTransport({ baseUrl: config.rpc.url, timeoutMs: config.rpc.timeoutMs, onCall, nowIso, sleep });
  const magus = createMagus({ config: config.magus, usage: store, clock, onCall, nowIso });
  const prices = createPriceSource({ config: config.prices, clock, timeoutMs: config.api.timeoutMs, onCall, nowIso });
  let closeHost = async () => {};
  let stopExecutor: (() => Promise<void>) | undefined; // the backing driver stops before the store closes
  const close = async () => {
    await stopExecutor?.();
    await closeHost();
    store.close();
    await Promise.all([apiTransport.close(), rpcTransport.close(), magus?.close(), prices.close()]);
  };

  const budget = rateBudgetFromConfig(config.api, clock);
  try {
    let apiKey: string | null = null;
    const keyless = config.api.auth === 'x402';
    // x402 (PROTOCOL.md 7): the payer is chosen by the ledger, as the executor is: live signs within the caps, a dry
    // run never pays
    const payer = createX402Payer({ ledger: ledgerOf(config), config, keypair, payments: new X402Payments(store), clock, logger });
    const api = new HttpMagmaApi({
      transport: apiTransport, apiKey: () => apiKey, budget, logger, now: () => clock.now(), payer, keyless,
    });
    // key-less (api.auth "x402"): nothing is registered; the feed is paid per call
    const agentKey: AgentKey = keyless ? { apiKey: '', source: 'x402', agentId: null } : await ensureAgentKey({
      dataDir, api, apiUrl: config.api.url, walletAddress, name: config.agent.name, description: config.agent.description,
      apiKeyOverride: o.apiKeyOverride, logger, nowIso, sim: o.simulatorUrl !== undefined, ...(o.signal ? { signal: o.signal } : {}),
    });
    apiKey = keyless ? null : agentKey.apiKey;
    logger.redactor.add(apiKey);

    const chain = new RpcChain({ transport: rpcTransport, commitment: config.rpc.commitment });
    const journal = new SqliteJournal(store);
    const { engine, executor, host, guards } = composeEngine(config, strategies, {
      clock, api, chain, store, walletAddress, ensembleMemory: store,
      // The one place the mode is chosen: a dry run journals what it would send; live signs and sends.
      // (The sending executor, and with it the Solana client, is loaded only where it signs.)
      executor: config.dryRun ? journalingExecutor(journal, clock, logger) : (await import('../executor/sending-executor.js')).sendingExecutor({ config, journal, chain, api, clock, logger, keypair, liveness }),
      backingBudget: () => budget.remaining('backing'),
      ...(o.paused ? { paused: o.paused } : {}),
      // Live, dry-run and rehearsals alike: MAGMA's per-narrative read and oracle result (the simulator serves them).
      outcomes: new NarrativeOutcomeSource({ api, clock, budgetLeft: () => budget.remaining('public') }),
      sources: {
        prices: strategyPriceView(prices.source, clock, logger, config.prices.maxAgeSeconds * 1000, (asset, t, price) => {
          try {
            store.recordPrice(asset, new Date(t).toISOString(), price);
          } catch (err) {
            logger.warn('store.price_not_recorded', { err });
          }
        }),
        ...(magus ? { magus: magus.source } : {}),
        // MAGMA's per-narrative read (deadline, resolution date, pools), cached, from the public budget's spare calls.
        narratives: strategyNarrativeView({ api, clock, logger, budgetLeft: () => budget.remaining('public') }),
      },
    }, logger);
    closeHost = () => host.close();
    stopExecutor = executor.stop?.bind(executor);
    const registerWebhook = config.dryRun
      ? async () => {
        logger.info('webhook.not_registered', { msg: 'dry run: the webhook URL is not registered with MAGMA (no writes); deliveries still wake the agent if they arrive' });
        return false;
      }
      : (url: string, signal?: AbortSignal) => ensureWebhookRegistered({ api, store, url, logger, ...(signal ? { signal } : {}) });
    return { engine, api, executor, store, clock, walletAddress, agentKey, ledger: store.ledger, registerWebhook, dbPath, strategyNames: strategies.map((s) => s.strategy.name), guards, close };
  } catch (err) {
    await close();
    throw err;
  }
}

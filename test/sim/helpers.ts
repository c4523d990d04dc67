// Shared test helpers: a real simulator on 127.0.0.1 port 0 driven by a manual clock, JSON over real HTTP, and a
// real signed back_narrative transaction built with @solana/web3.js.
import {
  ComputeBudgetProgram, Keypair, PublicKey, Transaction, type TransactionInstruction,
} from '@solana/web3.js';
import { buildBackNarrativeInstruction } from '../../src/chain/back-narrative.js';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';
import { startTimeForSeed } from '../../src/sim/world/world.js';

export interface TestSim {
  sim: Simulator;
  clock: ManualClock;
  base: string;
}

export async function startSim(options: SimulatorOptions = {}): Promise<TestSim> {
  const seed = options.seed ?? 7;
  const clock = new ManualClock(options.startMs ?? startTimeForSeed(seed));
  const sim = new Simulator({ seed, ...options, clock });
  const urls = await sim.start();
  return { sim, clock, base: urls.api };
}

export interface HttpAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function http<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

let rpcId = 1;
export async function rpc<T = any>(base: string, method: string, params: unknown[] = []): Promise<{ result?: T; error?: { code: number; message: string; data?: any } }> {
  const r = await http(base, 'POST', '/rpc', { jsonrpc: '2.0', id: rpcId++, method, params });
  return r.body;
}

export interface BackingTxOptions {
  programId: string;
  narrativeId: string;
  backer: Keypair;
  lamports: bigint;
  blockhash: string;
  deadlineUnix?: bigint;
  nowMs?: number;
  priceMicroLamports?: number;
  /** Replace or mangle the instruction before signing. */
  mutate?: (ix: TransactionInstruction) => TransactionInstruction;
  feePayer?: Keypair;
  sign?: boolean;
}

export function backingTx(o: BackingTxOptions): string {
  const deadline = o.deadlineUnix ?? BigInt(Math.floor((o.nowMs ?? Date.UTC(2026, 0, 1)) / 1000) + 7 * 86_400);
  let ix = buildBackNarrativeInstruction({ programId: new PublicKey(o.programId), narrativeId: o.narrativeId, backer: o.backer.publicKey, lamports: o.lamports, deadlineUnix: deadline });
  if (o.mutate) ix = o.mutate(ix);
  const payer = o.feePayer ?? o.backer;
  const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: o.blockhash });
  if (o.priceMicroLamports !== undefined) {
    tx.add(ComputeBudgetProgram.setComputeUnitLimit({ units: 100_000 }));
    tx.add(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: o.priceMicroLamports }));
  }
  tx.add(ix);
  if (o.sign === false) return tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString('base64');
  const signers = payer === o.backer ? [payer] : [payer, o.backer];
  tx.sign(...signers);
  return tx.serialize().toString('base64');
}

/** An open or live narrative of the world's feed. */
export async function openNarrative(base: string, apiKey: string): Promise<{ id: string; total_backed_sol: number; backer_count: number }> {
  const feed = await http(base, 'GET', '/v1/agent/feed', undefined, { 'x-api-key': apiKey });
  const n = feed.body.narratives.find((x: any) => x.oracle_status === 'open' || x.oracle_status === 'live');
  if (!n) throw new Error('no open narrative in the feed');
  return n;
}

export async function register(base: string, wallet: Keypair, name = 'test-bot'): Promise<string> {
  const r = await http(base, 'POST', '/v1/agent/register', { wallet_address: wallet.publicKey.toBase58(), name });
  if (r.status !== 200) throw new Error(`register failed: ${r.status} ${r.text}`);
  return r.body.agent.api_key;
}

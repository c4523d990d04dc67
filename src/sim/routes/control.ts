// /__sim/*: the simulator's own control and inspection routes (loopback only): simulated time and agents, faults
// switched at run time, the hidden truth (true probabilities and realised outcomes), the exact ledger of every
// transfer and report, and the world's prices (the `sim` price source reads those).
import { json, type Router, type SimResponse } from '../http/router.js';
import { BURST_KINDS, describeFaults, FAULT_FAMILIES, ORACLE_STATE_FAULTS, type FaultBurst } from '../faults/sim-faults.js';
import { confirmationOf, type SimState } from '../sim-state.js';
import { ASSET_SYMBOLS } from '../world/price-paths.js';

const HOUR = 3_600_000;

function stringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((c) => typeof c === 'string');
}

function count(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= -1;
}

/** Applies a POST /__sim/faults body; returns an error message or null. Exported for scenarios and the CLI. */
export function applyFaults(state: SimState, body: Record<string, unknown>): string | null {
  const f = state.faults;
  if (body.reset === true) {
    f.halted.clear(); f.termsRejected.clear(); f.flagged.clear(); f.blocked.clear();
    f.bursts.length = 0; f.malformedFeed = 0; f.dropTransactions = 0; f.blockhashTtl = 150; f.confirmBlocks = 2; f.statusHistorySlots = null;
    f.statusLagBlocks = 0; f.rpcOutageOnLand = false; f.refuseNarratives.clear(); f.forkDrop = 0; f.reportsAtFinalized = false;
    f.oracleStates.clear(); f.challengeWindowMinutes = 60; f.narrativeWrapped = false;
  }
  for (const [key, set] of [['halted', f.halted], ['termsRejected', f.termsRejected], ['flagged', f.flagged], ['blocked', f.blocked]] as const) {
    const v = body[key];
    if (v === undefined) continue;
    if (!stringList(v)) return `${key} must be a list of strings (wallets, '*' or component names)`;
    set.clear();
    for (const x of v) set.add(x);
  }
  for (const key of ['malformedFeed', 'dropTransactions', 'forkDrop'] as const) {
    const v = body[key];
    if (v === undefined) continue;
    if (!count(v) || v < 0) return `${key} must be a whole number ≥ 0`;
    f[key] = v;
  }
  if (body.blockhashTtl !== undefined) {
    if (!count(body.blockhashTtl) || body.blockhashTtl < 0) return 'blockhashTtl must be a whole number of blocks ≥ 0';
    f.blockhashTtl = body.blockhashTtl;
  }
  if (body.confirmBlocks !== undefined) {
    if (!count(body.confirmBlocks) || body.confirmBlocks < 1) return 'confirmBlocks must be a whole number of blocks ≥ 1';
    f.confirmBlocks = body.confirmBlocks;
  }
  if (body.statusHistorySlots !== undefined) {
    if (body.statusHistorySlots !== null && (!count(body.statusHistorySlots) || (body.statusHistorySlots as number) < 0)) return 'statusHistorySlots must be a whole number of slots ≥ 0, or null';
    f.statusHistorySlots = body.statusHistorySlots as number | null;
  }
  if (body.statusLagBlocks !== undefined) {
    if (!count(body.statusLagBlocks) || body.statusLagBlocks < 0) return 'statusLagBlocks must be a whole number of blocks ≥ 0';
    f.statusLagBlocks = body.statusLagBlocks;
  }
  if (body.rpcOutageOnLand !== undefined) {
    if (typeof body.rpcOutageOnLand !== 'boolean' && !(count(body.rpcOutageOnLand) && body.rpcOutageOnLand >= 0)) return 'rpcOutageOnLand must be true (until cleared), false, or a number of RPC requests';
    f.rpcOutageOnLand = body.rpcOutageOnLand;
  }
  if (body.refuseNarratives !== undefined) {
    if (!stringList(body.refuseNarratives)) return 'refuseNarratives must be a list of narrative ids';
    f.refuseNarratives = new Set(body.refuseNarratives);
  }
  if (body.reportsAtFinalized !== undefined) {
    if (typeof body.reportsAtFinalized !== 'boolean') return 'reportsAtFinalized must be true or false';
    f.reportsAtFinalized = body.reportsAtFinalized;
  }
  if (body.oracleStates !== undefined) {
    const v = body.oracleStates as Record<string, unknown>;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return 'oracleStates must be an object {narrative id: "running" | "under_review" | null}';
    for (const [id, st] of Object.entries(v)) {
      if (st === null) f.oracleStates.delete(id);
      else if (ORACLE_STATE_FAULTS.includes(st as never)) f.oracleStates.set(id, st as 'running' | 'under_review');
      else return `oracleStates.${id} must be "running", "under_review" or null`;
    }
  }
  if (body.challengeWindowMinutes !== undefined) {
    if (!count(body.challengeWindowMinutes) || body.challengeWindowMinutes < 0) return 'challengeWindowMinutes must be a whole number of minutes ≥ 0';
    f.challengeWindowMinutes = body.challengeWindowMinutes;
  }
  if (body.narrativeWrapped !== undefined) {
    if (typeof body.narrativeWrapped !== 'boolean') return 'narrativeWrapped must be true or false';
    f.narrativeWrapped = body.narrativeWrapped;
  }
  if (body.clearBursts === true) f.bursts.length = 0;
  if (body.burst !== undefined) {
    const list = Array.isArray(body.burst) ? body.burst : [body.burst];
    for (const b of list as Array<Record<string, unknown>>) {
      if (!b || typeof b !== 'object' || !FAULT_FAMILIES.includes(b.family as never) || !BURST_KINDS.includes(b.kind as never) || !count(b.count) || b.count === 0) {
        return `burst needs family (${FAULT_FAMILIES.join('|')}), kind (${BURST_KINDS.join('|')}) and count (≥ 1, or -1 until cleared)`;
      }
      if (b.status !== undefined && !(typeof b.status === 'number' && b.status >= 400 && b.status <= 599)) return 'burst status must be 400–599';
      const burst: FaultBurst = { family: b.family as FaultBurst['family'], kind: b.kind as FaultBurst['kind'], remaining: b.count };
      if (typeof b.status === 'number') burst.status = b.status;
      f.bursts.push(burst);
    }
  }
  return null;
}

export function controlRoutes(state: SimState) {
  return (router: Router) => {
    router.on('GET', '/__sim/state', () =>
      json(200, {
        now: new Date(state.clock.now()).toISOString(),
        start: new Date(state.world.startMs).toISOString(),
        seed: state.seed,
        program_id: state.programId,
        narratives: state.world.narratives().length,
        feed: state.world.feed(50).length,
        agents: [...state.agentsByKey.values()].map((a) => ({ id: a.id, name: a.name, wallet_address: a.walletAddress, created_at: a.createdAt })),
        faults: describeFaults(state.faults),
      }),
    );

    router.on('GET', '/__sim/faults', () => json(200, describeFaults(state.faults)));
    router.on('POST', '/__sim/faults', (req) => {
      const error = applyFaults(state, (req.body ?? {}) as Record<string, unknown>);
      if (error) return json(400, { error });
      return json(200, { ok: true, ...describeFaults(state.faults) });
    });

    // ?ids=a,b,c answers about those narratives only (an agent asking after outcomes: cheap however big the world).
    router.on('GET', '/__sim/truth', (req) => {
      const ids = req.query.get('ids');
      const list = ids === null ? state.world.narratives() : ids.split(',').slice(0, 1_000).flatMap((id) => state.world.get(id) ?? []);
      return json(200, {
        now: new Date(state.clock.now()).toISOString(),
        narratives: list.map((n) => ({
          id: n.id, title: n.title, category: n.category, status: n.status, true_probability: n.trueProbability,
          // Realised only: a narrative's outcome is shown once it is resolved.
          outcome: n.resolvedAt !== null ? n.outcome : null,
          resolved_at: n.resolvedAt === null ? null : new Date(n.resolvedAt).toISOString(),
          resolved_by: n.resolvedBy, deadline: new Date(n.deadline).toISOString(), market: n.market,
        })),
      });
    });

    router.on('GET', '/__sim/ledger', () => {
      const txState = (signature: string) => {
        const tx = state.chain.txs.get(signature);
        return tx ? confirmationOf(state, tx.slot).status : state.chain.dropped.has(signature) ? 'dropped' : 'unknown';
      };
      return json(200, {
        balances: Object.fromEntries(state.chain.balances),
        vaults: Object.fromEntries(state.chain.vaults),
        transfers: state.chain.transfers.map((t) => ({
          signature: t.signature, kind: t.kind, wallet: t.kind === 'airdrop' ? t.to : t.from, narrative_id: t.narrativeId,
          lamports: t.lamports, state: t.kind === 'airdrop' ? 'finalized' : txState(t.signature), at: new Date(t.at).toISOString(),
        })),
        reports: [...state.reports.values()].map((r) => ({
          signature: r.signature, wallet: r.wallet, narrative_id: r.narrativeId, lamports: r.lamports, state: 'acknowledged',
          chain_state: txState(r.signature), at: new Date(r.reportedAt).toISOString(),
        })),
        dropped: [...state.chain.dropped],
      });
    });

    router.on('GET', '/__sim/prices', (req): SimResponse => {
      const assets = (req.query.get('assets') ?? ASSET_SYMBOLS.join(',')).split(',').map((a) => a.trim().toUpperCase()).filter(Boolean);
      const unknown = assets.filter((a) => !state.world.prices.has(a));
      if (unknown.length) return json(400, { error: `unknown assets: ${unknown.join(', ')}; known: ${ASSET_SYMBOLS.join(', ')}` });
      return json(200, { t: new Date(state.world.now).toISOString(), prices: Object.fromEntries(assets.map((a) => [a, state.world.prices.quoteAt(a, state.world.now)])) });
    });

    router.on('GET', '/__sim/prices/history', (req): SimResponse => {
      const asset = (req.query.get('asset') ?? '').toUpperCase();
      if (!state.world.prices.has(asset)) return json(400, { error: `asset must be one of ${ASSET_SYMBOLS.join(', ')}` });
      const now = state.world.now;
      const since = req.query.get('since');
      const hours = Number(req.query.get('hours') ?? 24);
      const from = since !== null ? Number(since) : now - hours * HOUR;
      if (!Number.isFinite(from) || !(hours > 0)) return json(400, { error: 'hours must be > 0 and since a time in ms' });
      // Minute points up to a day, hourly beyond (as CoinGecko's market_chart does).
      const interval = Number(req.query.get('interval_minutes') ?? (now - from > 24 * HOUR ? 60 : 1));
      if (!(interval >= 1)) return json(400, { error: 'interval_minutes must be ≥ 1' });
      return json(200, { asset, prices: state.world.prices.history(asset, from, now, interval * 60_000) });
    });
  };
}

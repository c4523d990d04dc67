// `magma-agent status`: what gates the agent's writes right now — system status, terms, the wallet's flags — plus
// its conviction and balance. Each part is read on its own, so one failure does not hide the others; exit 1 when
// a part that gates writes could not be read.
import type { Command } from 'commander';
import { databasePath, loadWallet } from '../../app/agent.js';
import { inFlightBackings } from '../in-flight-backings.js';
import { ensembleWeightsLines, storedEnsembleWeights } from '../ensemble-weights.js';
import { describeOutcome, recordedOutcomes } from '../recorded-outcomes.js';
import { RpcChain } from '../../chain/rpc-chain.js';
import { errorMessage, isMagmaError } from '../../core/errors.js';
import { formatSol, lamportsToSol, solToLamports } from '../../core/money.js';
import { HttpTransport } from '../../http/transport.js';
import { openReadClient } from '../read-client.js';
import { readPause } from '../../ops/pause.js';
import { resolve } from 'node:path';
import type { GlobalOptions } from '../runtime.js';
import { toJson } from '../table.js';

type Part<T> = { ok: true; value: T } | { ok: false; code: string; error: string; unavailable: boolean };

async function part<T>(p: Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    // A 404 means this MAGMA deployment does not serve the route (e.g. the older flag check): not a failure.
    return { ok: false, code: isMagmaError(err) ? err.code : 'UNEXPECTED', error: errorMessage(err), unavailable: isMagmaError(err, 'API_NOT_FOUND') };
  }
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('system status, terms, wallet flags, conviction and balance: can the agent write right now?')
    .option('--json', 'print JSON (balance in lamports as a string, and in SOL)')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
      const client = openReadClient(opts);
      const { config, logger, api } = client;
      const rpcTransport = new HttpTransport({ baseUrl: config.rpc.url, timeoutMs: config.rpc.timeoutMs });
      try {
        const wallet = loadWallet(config, logger).publicKey.toBase58();
        const chain = new RpcChain({ transport: rpcTransport, commitment: config.rpc.commitment });
        const [system, terms, flag, conviction, balance, key] = await Promise.all([
          part(api.systemStatus()), part(api.termsStatus(wallet)), part(api.walletFlag(wallet)), part(api.conviction(wallet)), part(chain.getBalance(wallet)),
          // an authenticated call: a key MAGMA refuses blocks every write (the daemon exits 78 on it)
          client.apiKey ? part(api.portfolio()) : Promise.resolve(null),
        ]);
        const reserve = solToLamports(config.risk.minBalanceSol);
        const paused = readPause(resolve(config.dataDir));
        const blockers: string[] = [];
        if (!system.ok) blockers.push('system status unknown');
        else if (system.value.halted.some((c) => c === 'all' || c === 'backing')) blockers.push(`protocol halted: ${system.value.halted.join(', ')}`);
        if (!terms.ok) blockers.push('terms status unknown');
        else if (!terms.value.accepted) blockers.push('terms not accepted: accept the latest terms in the MAGMA app');
        if (flag.ok && flag.value.blocked) blockers.push(`wallet blocked${flag.value.reason ? ` (${flag.value.reason})` : ''}`);
        if (paused) blockers.push(`paused by the operator since ${paused.since}${paused.reason ? ` (${paused.reason})` : ''}: \`magma-agent resume\` lifts it`);
        // no key yet is no blocker: the first `run` registers once
        if (key !== null && !key.ok && key.code === 'API_UNAUTHORIZED') blockers.push('MAGMA refuses the agent key: set the right MAGMA_API_KEY, or restore data/agent-key.json');
        if (!balance.ok) blockers.push('balance unknown');
        else if (balance.value <= reserve) blockers.push(`balance ${formatSol(balance.value)} is at or below risk.minBalanceSol (${formatSol(reserve)}): fund ${wallet}`);
        const failed = [system, terms, flag, conviction, balance, ...(key ? [key] : [])].some((p) => !p.ok && !p.unavailable);
        const backings = inFlightBackings(databasePath(config));
        const ensemble = storedEnsembleWeights(databasePath(config)); // issue 17
        // The latest settlements this agent recorded, with how sure MAGMA's oracle was (issue 15).
        const outcomes = recordedOutcomes(databasePath(config), { limit: 5 });

        if (opts.json) {
          process.stdout.write(toJson({
            wallet, api: config.api.url, key: client.apiKey ? 'known' : 'none', writes_allowed: blockers.length === 0, blockers,
            system, terms, flag, conviction, backings_in_flight: backings, recent_outcomes: outcomes,
            paused, ensemble_weights: ensemble,
            key_accepted: key === null ? null : key.ok ? true : key.code === 'API_UNAUTHORIZED' ? false : null,
            balance: balance.ok ? { ok: true, value: { lamports: balance.value, sol: lamportsToSol(balance.value) } } : balance,
          }));
        } else {
          const show = <T>(label: string, p: Part<T>, text: (v: T) => string) =>
            process.stdout.write(`${label.padEnd(12)} ${p.ok ? text(p.value) : p.unavailable ? 'not served by this MAGMA API' : `✘ ${p.error}`}\n`);
          process.stdout.write(`wallet       ${wallet}\napi          ${config.api.url} (key ${client.apiKey ? 'known' : 'not stored yet'})\n`);
          show('system', system, (s) => (s.halted.length ? `halted: ${s.halted.join(', ')}` : 'operational, nothing halted'));
          show('terms', terms, (t) => (t.accepted ? `accepted (version ${t.termsVersion ?? '?'})` : 'NOT accepted: accept them in the MAGMA app'));
          show('flags', flag, (f) => (f.blocked ? `BLOCKED (${f.flagType ?? '?'}: ${f.reason ?? 'no reason given'})` : f.flagged ? `flagged (${f.flagType ?? '?'}), not blocked` : 'none'));
          show('conviction', conviction, (c) => `score ${c.score}${c.tier ? `, tier ${c.tier}` : ''}${c.yieldMultiplier !== null ? `, ×${c.yieldMultiplier}` : ''}, ${c.correctBackings} right / ${c.incorrectBackings} wrong`);
          show('balance', balance, (b) => `${formatSol(b)}${b <= reserve ? ` — at or below the reserve risk.minBalanceSol (${formatSol(reserve)}): no backings until funded` : ''}`);
          if (key) show('key', key, (p) => `accepted by MAGMA (${p.positions.length} open positions)`);
          if (backings) {
            process.stdout.write(`${'in flight'.padEnd(12)} ${backings.count} live backing(s)${backings.unprovable.length ? `, ${backings.unprovable.length} that no RPC answer could prove expired (never signed again):` : ''}\n`);
            for (const u of backings.unprovable) process.stdout.write(`  ✘ ${u.narrativeId} ${u.signature ?? ''} (${u.state} since ${u.since}): ${u.why}\n`);
          }
          process.stdout.write(`${ensembleWeightsLines(ensemble).join('\n')}\n`);
          if (outcomes?.length) {
            process.stdout.write(`${'outcomes'.padEnd(12)} latest ${outcomes.length} recorded (outcome, oracle confidence, sources weighed):\n`);
            for (const o of outcomes) process.stdout.write(`  ${o.narrativeId.slice(0, 12)}  ${describeOutcome(o)}${o.resolvedAt ? `, resolved ${o.resolvedAt.slice(0, 16)}` : ''}\n`);
          }
          process.stdout.write(blockers.length ? `\nwrites blocked: ${blockers.join('; ')}\n` : '\nwrites allowed\n');
        }
        if (failed) process.exitCode = 1;
      } finally {
        await Promise.all([client.close(), rpcTransport.close()]);
      }
    });
}

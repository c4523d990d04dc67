// `magma-agent portfolio` and `magma-agent history`: the agent wallet's open positions and its latest backings,
// as MAGMA reports them (a table, or --json).
import type { Command } from 'commander';
import { formatSol, lamportsToSol } from '../../core/money.js';
import type { PositionsResult } from '../../ports/magma-api.js';
import { databasePath } from '../../app/agent.js';
import { describeOutcome, recordedOutcomes, type RecordedOutcome } from '../recorded-outcomes.js';
import { openReadClient } from '../read-client.js';
import type { GlobalOptions } from '../runtime.js';
import { clip, renderTable, toJson } from '../table.js';

function print(result: PositionsResult, json: boolean, empty: string, outcomes: ReadonlyMap<string, RecordedOutcome>): void {
  if (json) {
    process.stdout.write(toJson({
      wallet_address: result.walletAddress,
      // outcome: as this agent recorded it, with the oracle's confidence and sources (null while not settled)
      positions: result.positions.map((p) => ({ ...p, amountSol: lamportsToSol(p.amountLamports), outcome: outcomes.get(p.narrativeId) ?? null })),
      dropped: result.dropped,
    }));
    return;
  }
  if (!result.positions.length) {
    process.stdout.write(`${empty}\n`);
  } else {
    const total = result.positions.reduce((s, p) => s + p.amountLamports, 0n);
    process.stdout.write(renderTable(
      ['narrative', 'title', 'amount', 'usd', 'yield', 'status', 'since', 'settled (oracle)'],
      result.positions.map((p) => {
        const o = outcomes.get(p.narrativeId);
        return [p.narrativeId.slice(0, 12), clip(p.narrativeTitle, 40), formatSol(p.amountLamports), p.usdEquivalent?.toFixed(2) ?? null, p.yieldType, p.oracleStatus, p.createdAt.slice(0, 10), o ? clip(describeOutcome(o), 48) : null];
      }),
    ));
    process.stdout.write(`\n${result.positions.length} position(s), ${formatSol(total)} in total${result.walletAddress ? ` for ${result.walletAddress}` : ''}\n`);
  }
  if (result.dropped.length) process.stdout.write(`${result.dropped.length} item(s) in MAGMA's answer could not be read and were left out (see --json).\n`);
}

export function registerPortfolio(program: Command): void {
  for (const [name, description, empty] of [
    ['portfolio', "the agent wallet's open positions, as MAGMA reports them", 'no open positions.'],
    ['history', "the agent's most recent backings (up to 100), as MAGMA reports them", 'no backings yet.'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .option('--json', 'print JSON (amounts in lamports as strings, and in SOL)')
      .action(async (_o, cmd: Command) => {
        const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
        const client = openReadClient(opts);
        try {
          client.requireKey();
          const result = name === 'portfolio' ? await client.api.portfolio() : await client.api.history();
          const recorded = recordedOutcomes(databasePath(client.config), { narrativeIds: [...new Set(result.positions.map((p) => p.narrativeId))] }) ?? [];
          print(result, opts.json === true, empty, new Map(recorded.map((o) => [o.narrativeId, o])));
        } finally {
          await client.close();
        }
      });
  }
}

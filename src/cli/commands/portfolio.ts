// `magma-agent portfolio` and `magma-agent history`: the agent wallet's open positions and its latest backings,
// as MAGMA reports them (a table, or --json), each with how it settled as this agent recorded it; `history` also
// lists the x402 payments of this ledger's database.
import type { Command } from 'commander';
import { formatSol, lamportsToSol } from '../../core/money.js';
import type { PositionsResult } from '../../ports/magma-api.js';
import type { X402PaymentRecord } from '../../ports/x402-payer.js';
import { databasePath } from '../../app/agent.js';
import { describeOutcome, recordedOutcomes, type RecordedOutcome } from '../recorded-outcomes.js';
import { openReadClient } from '../read-client.js';
import { x402PaymentRows } from '../x402-payment-rows.js';
import type { GlobalOptions } from '../runtime.js';
import { clip, renderTable, toJson } from '../table.js';

function printPayments(payments: readonly X402PaymentRecord[]): void {
  if (!payments.length) return;
  process.stdout.write(`\nx402 payments (latest ${payments.length}, this ledger's database):\n`);
  process.stdout.write(renderTable(
    ['at', 'state', 'usd', 'amount', 'asset', 'pay to', 'resource', 'tx / reason'],
    payments.map((p) => [p.at.slice(0, 19), p.state, p.usd ? p.usd.toFixed(6) : null, p.amount, p.asset ? clip(p.asset, 12) : null, p.payTo ? clip(p.payTo, 12) : null,
      clip(p.resource ?? p.route, 40), clip(p.tx ?? p.reason ?? '', 60)]),
  ));
}

function print(result: PositionsResult | null, json: boolean, empty: string, outcomes: ReadonlyMap<string, RecordedOutcome>, payments?: readonly X402PaymentRecord[]): void {
  if (json) {
    process.stdout.write(toJson({
      wallet_address: result?.walletAddress ?? null,
      // outcome: as this agent recorded it, with the oracle's confidence and sources (null while not settled)
      positions: result?.positions.map((p) => ({ ...p, amountSol: lamportsToSol(p.amountLamports), outcome: outcomes.get(p.narrativeId) ?? null })) ?? [],
      dropped: result?.dropped ?? [],
      ...(payments ? { x402_payments: payments } : {}),
    }));
    return;
  }
  if (!result) {
    process.stdout.write('no API key (api.auth "x402"): MAGMA\'s list of backings needs one.\n');
    printPayments(payments ?? []);
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
  printPayments(payments ?? []);
}

export function registerPortfolio(program: Command): void {
  for (const [name, description, empty] of [
    ['portfolio', "the agent wallet's open positions, as MAGMA reports them", 'no open positions.'],
    ['history', "the agent's most recent backings (up to 100), as MAGMA reports them", 'no backings yet.'],
  ] as const) {
    const command = program
      .command(name)
      .description(description)
      .option('--json', 'print JSON (amounts in lamports as strings, and in SOL)');
    if (name === 'history') command.option('--sim', "show the x402 payments of `run --sim` rehearsals (the simulator's own database)");
    command
      .action(async (_o, cmd: Command) => {
        const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean; sim?: boolean }>();
        const client = openReadClient(opts);
        const settled = (result: PositionsResult | null) => {
          const ids = [...new Set(result?.positions.map((p) => p.narrativeId) ?? [])];
          const recorded = ids.length ? recordedOutcomes(databasePath(client.config), { narrativeIds: ids }) ?? [] : [];
          return new Map(recorded.map((o) => [o.narrativeId, o]));
        };
        try {
          if (name === 'portfolio') {
            client.requireKey();
            const result = await client.api.portfolio();
            print(result, opts.json === true, empty, settled(result));
          } else {
            const payments = x402PaymentRows(databasePath(client.config, opts.sim === true));
            // key-less (api.auth "x402"): there is no agent to ask for its backings; the payment journal still shows
            if (client.apiKey === null && client.config.api.auth === 'x402') print(null, opts.json === true, empty, new Map(), payments);
            else {
              client.requireKey();
              const result = await client.api.history();
              print(result, opts.json === true, empty, settled(result), payments);
            }
          }
        } finally {
          await client.close();
        }
      });
  }
}

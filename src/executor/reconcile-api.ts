// Compares what the API says the wallet backed (history, and open positions in the portfolio) with what the journal
// says was confirmed, and logs every difference loudly: a backing the journal does not know (another client using
// this wallet?) or a confirmed backing MAGMA does not list. It changes nothing: money facts come from the chain.
import { formatSol } from '../core/money.js';
import type { Logger } from '../log/logger.js';
import type { Journal } from '../ports/journal.js';
import type { MagmaApi, Position } from '../ports/magma-api.js';
import { portfolioAccounts } from './portfolio-accounting.js';

export interface ReconcileSummary {
  journal: number;
  api: number;
  /** In the API's history, not in the journal. */
  unknownToJournal: Array<{ narrativeId: string; amountLamports: bigint }>;
  /** Confirmed in the journal, missing from the API's history. */
  missingFromApi: Array<{ narrativeId: string; amountLamports: bigint; signature: string | null }>;
  /** Open in the journal, not in the API's portfolio (or the other way round). */
  openMismatches: number;
  /** Narratives MAGMA's portfolio lists a position in (no verdicts on those: a conflict of interest). */
  heldNarratives: string[];
}

const key = (narrativeId: string, lamports: bigint) => `${narrativeId}:${lamports}`;

function countBy<T>(items: readonly T[], k: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const list = m.get(k(i)) ?? [];
    list.push(i);
    m.set(k(i), list);
  }
  return m;
}

export async function reconcileWithApi(o: { api: MagmaApi; journal: Journal; logger: Logger }, signal?: AbortSignal): Promise<ReconcileSummary> {
  const { api, journal, logger } = o;
  const history = await api.history(signal);
  const portfolio = await api.portfolio(signal);
  const rows = journal.backingsInStates(['confirmed', 'reported']);
  const amount = (p: Position) => p.amountLamports;
  const apiByKey = countBy(history.positions, (p) => key(p.narrativeId, amount(p)));
  const rowsByKey = countBy(rows, (r) => key(r.narrativeId, r.stakeLamports));
  const summary: ReconcileSummary = { journal: rows.length, api: history.positions.length, unknownToJournal: [], missingFromApi: [], openMismatches: 0,
    heldNarratives: [...new Set(portfolio.positions.map((p) => p.narrativeId))] };

  for (const [k, list] of apiByKey) {
    const known = rowsByKey.get(k)?.length ?? 0;
    for (const p of list.slice(known)) summary.unknownToJournal.push({ narrativeId: p.narrativeId, amountLamports: amount(p) });
  }
  // History lists only the 100 most recent: a full page cannot prove that an older backing is missing.
  if (history.positions.length < 100) {
    for (const [k, list] of rowsByKey) {
      const listed = apiByKey.get(k)?.length ?? 0;
      for (const r of list.slice(listed)) summary.missingFromApi.push({ narrativeId: r.narrativeId, amountLamports: r.stakeLamports, signature: r.signature });
    }
  }
  // Open positions: the journal's unsettled confirmed backings against MAGMA's portfolio, narrative and amount.
  const accounts = portfolioAccounts(journal);
  const openApi = countBy(portfolio.positions, (p) => key(p.narrativeId, p.amountLamports));
  const openJournal = countBy(accounts.open, (p) => key(p.narrativeId, p.stakeLamports));
  const openDiffs: string[] = [];
  for (const k of new Set([...openApi.keys(), ...openJournal.keys()])) {
    const a = openApi.get(k)?.length ?? 0;
    const j = openJournal.get(k)?.length ?? 0;
    if (a !== j) openDiffs.push(`${k.split(':')[0]}: ${j} open in the journal, ${a} in MAGMA's portfolio`);
  }
  summary.openMismatches = openDiffs.length;
  const openRows = accounts.open.length;

  for (const u of summary.unknownToJournal) {
    logger.error('reconcile.unknown_backing', {
      narrative_id: u.narrativeId, amount_lamports: u.amountLamports,
      msg: `MAGMA lists a backing of ${formatSol(u.amountLamports)} that this agent's journal does not know: is another client using this wallet?`,
    });
  }
  for (const m of summary.missingFromApi) {
    logger.error('reconcile.missing_backing', {
      narrative_id: m.narrativeId, amount_lamports: m.amountLamports, tx: m.signature,
      msg: `the journal has a confirmed backing of ${formatSol(m.amountLamports)} that MAGMA's history does not list`,
    });
  }
  if (summary.openMismatches) {
    logger.warn('reconcile.open_positions', {
      journal_open: openRows, api_open: portfolio.positions.length, journal_open_lamports: accounts.openStakeLamports, differences: openDiffs.slice(0, 20),
      msg: 'open positions in the journal and in MAGMA\'s portfolio differ (a settlement may still be on its way)',
    });
  }
  logger.info('reconcile.done', {
    journal: summary.journal, api: summary.api, differences: summary.unknownToJournal.length + summary.missingFromApi.length,
    msg: summary.unknownToJournal.length + summary.missingFromApi.length === 0 ? 'the journal and MAGMA agree on every backing' : 'the journal and MAGMA disagree: see the errors above',
  });
  return summary;
}

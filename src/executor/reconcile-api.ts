// Compares what the API says the wallet backed (history, and open positions in the portfolio) with what the journal
// says was confirmed, and logs every difference loudly: a backing the journal does not know (another client using
// this wallet?) or a confirmed backing MAGMA does not list. It changes nothing: money facts come from the chain.
// History shows only the 100 most recent backings: a confirmed backing beyond a full page is looked up in its
// narrative's backers (GET /v1/narratives/:id/backers, PROTOCOL.md section 9) by its signature, which tells an old
// backing (listed there) from a missing one, a bounded number per start.
import { formatSol } from '../core/money.js';
import type { Logger } from '../log/logger.js';
import { isMagmaError } from '../core/errors.js';
import type { BackingRow, Journal } from '../ports/journal.js';
import type { MagmaApi, NarrativeBacker, Position } from '../ports/magma-api.js';
import { portfolioAccounts } from './portfolio-accounting.js';

export interface ReconcileSummary {
  journal: number;
  api: number;
  /** In the API's history, not in the journal. */
  unknownToJournal: Array<{ narrativeId: string; amountLamports: bigint }>;
  /** Confirmed in the journal, missing from the API's history (and, past a full page, from its narrative's backers). */
  missingFromApi: Array<{ narrativeId: string; amountLamports: bigint; signature: string | null }>;
  /** Past a full page of history: listed among their narrative's backers (older than the page, not missing). */
  olderListed: number;
  /** Past a full page of history and not proven either way (no signature, its read failed, or over the bound). */
  unverified: number;
  /** Open in the journal, not in the API's portfolio (or the other way round). */
  openMismatches: number;
  /** Narratives MAGMA's portfolio lists a position in (no verdicts on those: a conflict of interest). */
  heldNarratives: string[];
}

const key = (narrativeId: string, lamports: bigint) => `${narrativeId}:${lamports}`;
/** Narratives whose backers are read per reconciliation (public reads, ~60/min shared with the gates). */
const MAX_BACKERS_READS = 20;

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
  const summary: ReconcileSummary = { journal: rows.length, api: history.positions.length, unknownToJournal: [], missingFromApi: [], olderListed: 0, unverified: 0, openMismatches: 0,
    heldNarratives: [...new Set(portfolio.positions.map((p) => p.narrativeId))] };

  for (const [k, list] of apiByKey) {
    const known = rowsByKey.get(k)?.length ?? 0;
    for (const p of list.slice(known)) summary.unknownToJournal.push({ narrativeId: p.narrativeId, amountLamports: amount(p) });
  }
  const unmatched: BackingRow[] = [];
  for (const [k, list] of rowsByKey) unmatched.push(...list.slice(apiByKey.get(k)?.length ?? 0));
  // History lists only the 100 most recent: past a full page, the narrative's backers tell old from missing.
  if (history.positions.length < 100) {
    for (const r of unmatched) summary.missingFromApi.push({ narrativeId: r.narrativeId, amountLamports: r.stakeLamports, signature: r.signature });
  } else {
    await checkBackers(api, unmatched, summary, signal);
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
      msg: `the journal has a confirmed backing of ${formatSol(m.amountLamports)} that MAGMA does not list (not in its history${summary.api >= 100 ? ', nor among the narrative\'s backers' : ''})`,
    });
  }
  if (summary.openMismatches) {
    logger.warn('reconcile.open_positions', {
      journal_open: openRows, api_open: portfolio.positions.length, journal_open_lamports: accounts.openStakeLamports, differences: openDiffs.slice(0, 20),
      msg: 'open positions in the journal and in MAGMA\'s portfolio differ (a settlement may still be on its way)',
    });
  }
  if (summary.unverified) {
    logger.warn('reconcile.unverified', { count: summary.unverified, msg: `${summary.unverified} confirmed backing(s) older than MAGMA's last 100 could not be checked against their narrative's backers; checked again at the next start` });
  }
  logger.info('reconcile.done', {
    journal: summary.journal, api: summary.api, older_listed: summary.olderListed, differences: summary.unknownToJournal.length + summary.missingFromApi.length,
    msg: summary.unknownToJournal.length + summary.missingFromApi.length === 0 ? 'the journal and MAGMA agree on every backing' : 'the journal and MAGMA disagree: see the errors above',
  });
  return summary;
}

/** Each unmatched backing looked up among its narrative's backers by signature: listed (old) or missing (proven). */
async function checkBackers(api: MagmaApi, rows: readonly BackingRow[], summary: ReconcileSummary, signal?: AbortSignal): Promise<void> {
  const byNarrative = new Map<string, BackingRow[]>();
  for (const r of rows) byNarrative.set(r.narrativeId, [...(byNarrative.get(r.narrativeId) ?? []), r]);
  let reads = 0;
  for (const [narrativeId, list] of byNarrative) {
    let backers: NarrativeBacker[] | null = null;
    if (reads < MAX_BACKERS_READS && list.some((r) => r.signature)) {
      reads++;
      try {
        backers = await api.narrativeBackers(narrativeId, signal);
      } catch (err) {
        if (isMagmaError(err, 'ABORTED')) throw err;
      }
    }
    const listed = new Set(backers?.flatMap((b) => (b.txSignature ? [b.txSignature] : [])) ?? []);
    // A backer listed without its signature, of the same amount, may be this one: that proves nothing either way.
    const unsigned = new Set(backers?.flatMap((b) => (b.txSignature ? [] : [b.amountLamports])) ?? []);
    for (const r of list) {
      if (!backers || !r.signature || (!listed.has(r.signature) && unsigned.has(r.stakeLamports))) summary.unverified++;
      else if (listed.has(r.signature)) summary.olderListed++;
      else summary.missingFromApi.push({ narrativeId: r.narrativeId, amountLamports: r.stakeLamports, signature: r.signature });
    }
  }
}

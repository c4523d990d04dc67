// What `status` says about the learning ensemble (issue 17): the weights and calibrators it last fitted from settled
// outcomes, read from the agent's database (read-only; nothing before the first fit or on an older database).
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { EnsembleWeightsView } from '../core/learned-ensemble.js';

export function storedEnsembleWeights(dbPath: string): EnsembleWeightsView | null {
  if (!existsSync(dbPath)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    const json = db.prepare('SELECT view_json FROM ensemble_weights WHERE id = 1').pluck().get() as string | undefined;
    return json ? (JSON.parse(json) as EnsembleWeightsView) : null;
  } catch {
    return null; // an older or locked database: status goes on without this part
  } finally {
    db?.close();
  }
}

/**
 * One line per category: who leads where several strategies spoke, each strategy's weight and calibration (and whether
 * its calibrated forecast stands where it speaks alone), and how much it learned from.
 */
export function ensembleWeightsLines(view: EnsembleWeightsView | null): string[] {
  if (!view) return ['ensemble     configured weights (nothing settled to learn from yet)'];
  return [
    `ensemble     learned from settled outcomes${view.updatedAt ? ` (last fit ${view.updatedAt})` : ''}:`,
    ...view.groups.map((g) => `  ${(g.category === '*' ? 'all' : g.category).padEnd(11)} ${String(g.narratives).padStart(4)} narratives  lead ${g.lead.padEnd(16)} ${g.strategies
      .map((s) => `${s.strategy} ${s.weight.toFixed(2)} (a ${s.a.toFixed(2)}, b ${s.b.toFixed(2)}${s.calibrated ? ', calibrated when alone' : ''})`).join('  ')}`),
  ];
}

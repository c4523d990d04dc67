// The time series a backtest report draws (equity three ways, drawdown, exposure, open positions), sampled as the
// replay goes. Memory stays bounded on a recording of any length: past `maxPoints` every other point is dropped and
// the sampling step doubles, so a long recording keeps an even spread of at most `maxPoints` points.
import { expectedValuePerUnit, type PayoutModel } from '../core/payout.js';
import { lamportsToSol } from '../core/money.js';

export interface RunSeries {
  /** Milliseconds since the epoch. */
  t: number[];
  /** Realised P&L so far (SOL). */
  realised: number[];
  /** Stake of open positions (SOL). */
  atStake: number[];
  /** Realised P&L plus the open positions' expected P&L at the model's last forecast (SOL). */
  marked: number[];
  /** How far realised P&L is below its running peak (SOL, ≤ 0). */
  drawdown: number[];
  /** The same for the marked-to-model P&L. */
  drawdownMarked: number[];
  openPositions: number[];
}

export interface SeriesPoint {
  t: number;
  realisedLamports: bigint;
  atStakeLamports: bigint;
  openPositions: number;
  /** Expected P&L of the open positions at the model's forecast (lamports as a number: it is an estimate). */
  openExpectedLamports: number;
}

export class SeriesSampler {
  readonly series: RunSeries = { t: [], realised: [], atStake: [], marked: [], drawdown: [], drawdownMarked: [], openPositions: [] };
  private stepMs = 0;
  private lastT = -Infinity;
  private peakRealised = 0;
  private peakMarked = 0;

  constructor(private readonly maxPoints = 8_000) {}

  /** Whether a point at t would be kept (so that its figures need computing). */
  due(t: number): boolean {
    return t - this.lastT >= this.stepMs;
  }

  add(p: SeriesPoint, force = false): void {
    if (!force && !this.due(p.t)) return;
    if (p.t === this.lastT && this.series.t.length) this.drop(this.series.t.length - 1);
    const realised = lamportsToSol(p.realisedLamports);
    const marked = realised + p.openExpectedLamports / 1e9;
    this.peakRealised = Math.max(this.peakRealised, realised);
    this.peakMarked = Math.max(this.peakMarked, marked);
    const s = this.series;
    s.t.push(p.t);
    s.realised.push(realised);
    s.atStake.push(lamportsToSol(p.atStakeLamports));
    s.marked.push(marked);
    s.drawdown.push(realised - this.peakRealised);
    s.drawdownMarked.push(marked - this.peakMarked);
    s.openPositions.push(p.openPositions);
    this.lastT = p.t;
    if (s.t.length > this.maxPoints) this.decimate();
  }

  private drop(i: number): void {
    for (const list of Object.values(this.series) as number[][]) list.splice(i, 1);
  }

  private decimate(): void {
    const s = this.series;
    const keep = (list: number[]) => list.filter((_, i) => i % 2 === 0 || i === list.length - 1);
    for (const key of Object.keys(s) as Array<keyof RunSeries>) s[key] = keep(s[key]);
    this.stepMs = Math.max(this.stepMs * 2, (s.t[s.t.length - 1]! - s.t[0]!) / s.t.length);
  }
}

/** The open positions' expected P&L in lamports at the model's last forecast (0 for a position it never scored). */
export function markToModel(open: ReadonlyArray<{ narrativeId: string; stakeLamports: bigint }>, forecast: (narrativeId: string) => number | null, payout: PayoutModel): number {
  let sum = 0;
  for (const p of open) {
    const f = forecast(p.narrativeId);
    if (f !== null) sum += Number(p.stakeLamports) * expectedValuePerUnit(payout, f);
  }
  return sum;
}

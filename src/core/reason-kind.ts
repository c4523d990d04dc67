// What a decision's reason says without its particulars: "edge below risk.minEdge (-0.034 < 0.02)" → "edge below
// risk.minEdge". Runs of equal skips, the skip-reason counts and the backtest's fingerprint compare reasons by kind.

export function reasonKind(reason: string): string {
  const cut = reason.indexOf(' (');
  return cut < 0 ? reason : reason.slice(0, cut);
}

/** The kinds of one reason given as a constant (shared and frozen: comparing two is comparing two references). */
export function kindsOf(...reasons: string[]): readonly string[] {
  return Object.freeze(reasons.map(reasonKind));
}

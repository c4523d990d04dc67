// Whether to submit an oracle verdict for a narrative, from the verdicts strategies proposed. Conservative by design:
// only eligible narratives, only when every proposing strategy agrees, only at or above the threshold (never below
// the protocol's 0.7), never on a narrative the wallet holds unless configured, evidence cut to 1,000 characters.
import type { Gate } from './decide.js';
import type { Narrative } from './narrative.js';
import type { Verdict } from './strategy.js';

export const PROTOCOL_MIN_RESOLUTION_CONFIDENCE = 0.7;
export const MAX_EVIDENCE_CHARS = 1000;
const ELIGIBLE = new Set(['open', 'live', 'pending']);

export interface ResolutionPolicy {
  enabled: boolean;
  minConfidence: number;
  allowOwnPositions: boolean;
}

export interface ProposedVerdict {
  strategy: string;
  verdict: Verdict;
}

export interface ResolutionDecision {
  narrativeId: string;
  action: 'resolve' | 'skip';
  resolution: boolean | null;
  confidence: number | null;
  evidence: string;
  reasons: string[];
}

export interface ResolutionInput {
  narrative: Narrative;
  verdicts: readonly ProposedVerdict[];
  policy: ResolutionPolicy;
  gate: Gate;
  holdsPosition: boolean;
  alreadySubmitted: boolean;
}

/** At most 1,000 characters, cut on code points (never half of a surrogate pair, e.g. an emoji). */
export function truncateEvidence(text: string): string {
  const points = Array.from(text);
  return points.length <= MAX_EVIDENCE_CHARS ? text : `${points.slice(0, MAX_EVIDENCE_CHARS - 1).join('')}…`;
}

export function decideResolution(input: ResolutionInput): ResolutionDecision | null {
  const { narrative, verdicts, policy } = input;
  if (verdicts.length === 0) return null; // nobody proposed one: nothing to decide or record
  const base = { narrativeId: narrative.id, resolution: null, confidence: null, evidence: '' };
  const skip = (reason: string, extra: Partial<ResolutionDecision> = {}): ResolutionDecision => ({ ...base, action: 'skip', reasons: [reason], ...extra });

  const sides = new Set(verdicts.map((v) => v.verdict.resolution));
  if (sides.size > 1) return skip(`strategies disagree (${verdicts.map((v) => `${v.strategy}: ${v.verdict.resolution}`).join(', ')})`);
  const resolution = verdicts[0]!.verdict.resolution;
  const confidence = Math.max(...verdicts.map((v) => v.verdict.confidence));
  const evidence = truncateEvidence(verdicts.map((v) => `[${v.strategy}] ${v.verdict.evidence.trim()}`).join('\n'));
  const proposed = { resolution, confidence, evidence };

  if (!policy.enabled) return skip('resolution.enabled is off', proposed);
  if (!ELIGIBLE.has(narrative.oracleStatus)) return skip(`not eligible (oracle_status ${narrative.oracleStatus})`, proposed);
  const threshold = Math.max(PROTOCOL_MIN_RESOLUTION_CONFIDENCE, policy.minConfidence);
  if (!(confidence >= threshold)) return skip(`confidence below threshold (${confidence.toFixed(2)} < ${threshold})`, proposed);
  if (input.holdsPosition && !policy.allowOwnPositions) return skip('holds a position in it (resolution.allowOwnPositions is off)', proposed);
  if (input.alreadySubmitted) return skip('a verdict was already submitted', proposed);
  if (!input.gate.open) return skip(`gate closed: ${input.gate.reason}`, proposed);
  return { narrativeId: narrative.id, action: 'resolve', resolution, confidence, evidence, reasons: [`${verdicts.length} strategy verdict(s) agree at ${confidence.toFixed(2)}`] };
}

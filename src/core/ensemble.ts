// Combines strategy opinions by log-odds pooling, each weighted by its confidence × configured weight.
import type { Opinion } from './strategy.js';

export interface WeightedOpinion {
  strategy: string;
  weight: number;
  opinion: Opinion;
}

export interface EnsembleForecast {
  pTrue: number;
  confidence: number;
  contributors: number;
}

const EPS = 1e-6;
const logit = (p: number) => {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Returns null when no strategy offered a usable opinion (nothing to act on). */
export function poolOpinions(opinions: readonly WeightedOpinion[]): EnsembleForecast | null {
  let totalWeight = 0;
  let sum = 0;
  let confidenceSum = 0;
  let weightSum = 0;
  for (const { weight, opinion } of opinions) {
    if (weight <= 0) continue;
    const w = weight * opinion.confidence;
    weightSum += weight;
    confidenceSum += weight * opinion.confidence;
    if (w <= 0) continue;
    totalWeight += w;
    sum += w * logit(opinion.pTrue);
  }
  if (totalWeight <= 0) return null;
  const pTrue = sigmoid(sum / totalWeight);
  const confidence = confidenceSum / weightSum;
  // Weights near the largest double overflow the sums (Infinity − Infinity): no forecast rather than NaN money.
  if (!Number.isFinite(pTrue) || !Number.isFinite(confidence)) return null;
  return { pTrue, confidence, contributors: opinions.filter((o) => o.weight > 0 && o.opinion.confidence > 0).length };
}

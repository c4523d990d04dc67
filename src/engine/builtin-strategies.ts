// The built-in strategies (strategies/), by the name a config entry gives.
import crowd from '../../strategies/crowd.js';
import magusJudge from '../../strategies/magus-judge.js';
import priceThreshold from '../../strategies/price-threshold.js';
import type { Strategy } from '../core/strategy.js';

export const BUILTIN_STRATEGIES: Readonly<Record<string, Strategy>> = { crowd, 'price-threshold': priceThreshold, 'magus-judge': magusJudge };

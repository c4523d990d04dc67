// The built-in strategies (strategies/), by the name a config entry gives.
import crowd from '../../strategies/crowd.js';
import type { Strategy } from '../core/strategy.js';

export const BUILTIN_STRATEGIES: Readonly<Record<string, Strategy>> = { crowd };

// Narrative texts by category. Each template draws its numbers from the world's RNG, so a seed fixes every title.
import type { Rng } from './rng.js';

export interface NarrativeText {
  category: string;
  title: string;
  thesis: string;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function dateWords(deadlineMs: number): { day: string; iso: string } {
  const d = new Date(deadlineMs);
  return { day: `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`, iso: d.toISOString().slice(0, 10) };
}

const ASSETS: Array<[symbol: string, base: number]> = [['SOL', 230], ['BTC', 95_000], ['ETH', 3_600], ['JUP', 1.1], ['BONK', 0.00003]];
const TEAMS = ['Lakers', 'Celtics', 'Real Madrid', 'Arsenal', 'Chiefs', 'Yankees', 'Ferrari', 'T1'];
const PROJECTS = ['Firedancer', 'Jupiter', 'Helium', 'Pyth', 'Drift', 'Tensor', 'Marginfi', 'Backpack'];

const MAKERS: Record<string, (rng: Rng, deadlineMs: number) => NarrativeText> = {
  MARKET: (rng, deadline) => {
    const [symbol, base] = rng.pick(ASSETS);
    const level = Number((base * rng.range(0.85, 1.2)).toPrecision(2));
    const shown = level >= 1000 ? `$${level.toLocaleString('en-US')}` : `$${level}`;
    const { day, iso } = dateWords(deadline);
    if (rng.chance(0.5)) {
      const dir = rng.pick(['above', 'below']);
      return { category: 'MARKET', title: `${symbol} closes ${dir} ${shown} on ${day}`, thesis: `Will ${symbol} close ${dir} ${shown} on ${iso} per CoinGecko?` };
    }
    const dir = rng.pick(['above', 'below']);
    return { category: 'MARKET', title: `${symbol} trades ${dir} ${shown} by ${day}`, thesis: `Will ${symbol} trade ${dir} ${shown} at any time before ${iso} per CoinGecko?` };
  },
  SPORTS: (rng, deadline) => {
    const team = rng.pick(TEAMS);
    const { day, iso } = dateWords(deadline);
    return { category: 'SPORTS', title: `${team} win their next match before ${day}`, thesis: `Will the ${team} win their next official match played before ${iso}?` };
  },
  TECH: (rng, deadline) => {
    const project = rng.pick(PROJECTS);
    const { day, iso } = dateWords(deadline);
    const what = rng.pick(['ships its mainnet upgrade', 'announces a token buyback', 'passes 1M daily users', 'publishes its audit']);
    return { category: 'TECH', title: `${project} ${what} by ${day}`, thesis: `Will ${project} ${what.replace(/s /, ' ')} before ${iso}, per its official channels?` };
  },
  CULTURE: (rng, deadline) => {
    const { day, iso } = dateWords(deadline);
    const what = rng.pick(['a Solana meme coin tops CoinGecko trending', 'a Saga phone sells out', 'a top-10 NFT floor doubles']);
    return { category: 'CULTURE', title: `${what[0]!.toUpperCase()}${what.slice(1)} by ${day}`, thesis: `Will ${what} before ${iso}?` };
  },
  GOVERNANCE: (rng, deadline) => {
    const project = rng.pick(PROJECTS);
    const { day, iso } = dateWords(deadline);
    return { category: 'GOVERNANCE', title: `${project} DAO proposal passes by ${day}`, thesis: `Will the open ${project} DAO proposal pass its vote before ${iso}?` };
  },
};

export const CATEGORIES = Object.keys(MAKERS);

export function makeNarrativeText(rng: Rng, category: string, deadlineMs: number): NarrativeText {
  return MAKERS[category]!(rng, deadlineMs);
}

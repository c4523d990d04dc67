// Narrative texts by category. Each template draws its numbers from the world's RNG, so a seed fixes every title.
import type { MarketClaim } from './market-odds.js';
import { ASSET_SYMBOLS } from './price-paths.js';
import type { Rng } from './rng.js';

export interface NarrativeText {
  category: string;
  title: string;
  thesis: string;
  /** MARKET narratives only: the claim the price path decides. */
  market?: MarketClaim;
}

export interface TemplateContext {
  /** The asset's price at the narrative's creation. */
  price(asset: string): number;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function dateWords(deadlineMs: number): { day: string; iso: string } {
  const d = new Date(deadlineMs);
  return { day: `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`, iso: d.toISOString().slice(0, 10) };
}

const TEAMS = ['Lakers', 'Celtics', 'Real Madrid', 'Arsenal', 'Chiefs', 'Yankees', 'Ferrari', 'T1'];
const PROJECTS = ['Firedancer', 'Jupiter', 'Helium', 'Pyth', 'Drift', 'Tensor', 'Marginfi', 'Backpack'];

const MAKERS: Record<string, (rng: Rng, deadlineMs: number, ctx: TemplateContext) => NarrativeText> = {
  MARKET: (rng, deadline, ctx) => {
    const symbol = rng.pick(ASSET_SYMBOLS);
    const spot = ctx.price(symbol);
    const level = Number((spot * rng.range(0.85, 1.2)).toPrecision(2));
    const plain = level >= 1000 ? level.toLocaleString('en-US') : String(level);
    const shown = `$${plain}`;
    const { day, iso } = dateWords(deadline - 1); // a MARKET deadline is the midnight that closes `day`
    const form = rng.int(3);
    if (form === 0) {
      const direction = rng.pick(['above', 'below'] as const);
      return { category: 'MARKET', title: `${symbol} closes ${direction} ${shown} on ${day}`, thesis: `Will ${symbol} close ${direction} ${shown} on ${iso} per CoinGecko?`, market: { asset: symbol, kind: 'close', direction, level } };
    }
    if (form === 1) {
      const direction = rng.chance(0.5) ? 'above' : 'below';
      const word = direction === 'above' ? 'over' : 'under';
      return { category: 'MARKET', title: `Will ${symbol} be ${word} ${plain} USD at the end of ${day}?`, thesis: `Will ${symbol} be ${word} ${plain} USD at the end of ${iso} (UTC) per CoinGecko?`, market: { asset: symbol, kind: 'close', direction, level } };
    }
    // "by": touching the level at any time before the deadline; the direction follows where the level lies.
    const direction = level >= spot ? 'above' : 'below';
    return { category: 'MARKET', title: `${symbol} trades ${direction} ${shown} by ${day}`, thesis: `Will ${symbol} trade ${direction} ${shown} at any time before the end of ${iso} per CoinGecko?`, market: { asset: symbol, kind: 'touch', direction, level } };
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

export function makeNarrativeText(rng: Rng, category: string, deadlineMs: number, ctx: TemplateContext): NarrativeText {
  return MAKERS[category]!(rng, deadlineMs, ctx);
}

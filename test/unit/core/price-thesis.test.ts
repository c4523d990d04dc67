import { describe, expect, it } from 'vitest';
import { parsePriceThesis } from '../../../src/core/price-thesis.js';

// Wednesday 2026-05-20 12:00 UTC
const NOW = Date.parse('2026-05-20T12:00:00Z');
const eod = (iso: string) => Date.parse(`${iso}T23:59:59.999Z`);

type Row = [text: string, asset: string, direction: 'above' | 'below' | null, level: number, kind: 'close' | 'touch', deadline: string];

const TABLE: Row[] = [
  ['SOL closes above $250 on June 1', 'SOL', 'above', 250, 'close', '2026-06-01'],
  ['Will SOL close above $250 on 2026-06-01 per CoinGecko?', 'SOL', 'above', 250, 'close', '2026-06-01'],
  ['BTC trades below $90k by Friday', 'BTC', 'below', 90_000, 'touch', '2026-05-22'],
  ['BTC trades below $90,000 by June 15', 'BTC', 'below', 90_000, 'touch', '2026-06-15'],
  ['Will ETH be over 4,000 USD at the end of May?', 'ETH', 'above', 4_000, 'close', '2026-05-31'],
  ['ETH closes below $3,200 on May 25', 'ETH', 'below', 3_200, 'close', '2026-05-25'],
  ['Will Bitcoin reach $100,000 by December 31, 2026?', 'BTC', null, 100_000, 'touch', '2026-12-31'],
  ['Solana hits $300 before July 4', 'SOL', null, 300, 'touch', '2026-07-04'],
  ['Will SOL trade above $200 at any time before 2026-06-30?', 'SOL', 'above', 200, 'touch', '2026-06-30'],
  ['SOL under $150 on June 3', 'SOL', 'below', 150, 'close', '2026-06-03'],
  ['Will BTC dip below 80k before June?', 'BTC', 'below', 80_000, 'touch', '2026-05-31'],
  ['ETH above $4k by end of month', 'ETH', 'above', 4_000, 'touch', '2026-05-31'],
  ['Will Ethereum close higher than $3,500 on 1 June?', 'ETH', 'above', 3_500, 'close', '2026-06-01'],
  ['BONK closes below $0.000035 on May 28', 'BONK', 'below', 0.000035, 'close', '2026-05-28'],
  ['BONK trades above $0.000029 by May 30', 'BONK', 'above', 0.000029, 'touch', '2026-05-30'],
  ['JUP closes above $1.10 on June 2', 'JUP', 'above', 1.1, 'close', '2026-06-02'],
  ['Will JUP be above $1.5 on June 10, 2026?', 'JUP', 'above', 1.5, 'close', '2026-06-10'],
  ['SOL > $260 on May 31', 'SOL', 'above', 260, 'close', '2026-05-31'],
  ['BTC < $85k by next Monday', 'BTC', 'below', 85_000, 'touch', '2026-05-25'],
  ['Will $SOL exceed $275 by June 20?', 'SOL', 'above', 275, 'touch', '2026-06-20'],
  ['Will bitcoin fall below $70K by the end of the week?', 'BTC', 'below', 70_000, 'touch', '2026-05-24'], // ISO week: ends Sunday
  ['ETH settles above 3800 USD on May 29', 'ETH', 'above', 3_800, 'close', '2026-05-29'],
  ['SOL/USD daily close above $240 on May 27', 'SOL', 'above', 240, 'close', '2026-05-27'],
  ['Will SOL be trading above $220 tomorrow?', 'SOL', 'above', 220, 'touch', '2026-05-21'],
  ['Will BTC close above $95k today?', 'BTC', 'above', 95_000, 'close', '2026-05-20'],
  ['Will ETH be below $3,000 in 7 days?', 'ETH', 'below', 3_000, 'close', '2026-05-27'],
  ['BTC tops $110k by July 1', 'BTC', 'above', 110_000, 'touch', '2026-07-01'],
  ['Ether breaks above $5,000 before Aug 1', 'ETH', 'above', 5_000, 'touch', '2026-08-01'],
  ['Will SOL drop to $120 by June 30?', 'SOL', 'below', 120, 'touch', '2026-06-30'],
  ['Will ETH touch $2,500 before the end of June?', 'ETH', null, 2_500, 'touch', '2026-06-30'],
  ['Bitcoin at least $100,000 on Dec 31', 'BTC', 'above', 100_000, 'close', '2026-12-31'],
  ['SOL closes the month above $250 (end of May)', 'SOL', 'above', 250, 'close', '2026-05-31'],
  ['Will DOGE close above $0.5 on June 5?', 'DOGE', 'above', 0.5, 'close', '2026-06-05'],
  ['WIF trades below $1 by Friday', 'WIF', 'below', 1, 'touch', '2026-05-22'],
  ['Will BTC close below $88,500 on 2026-05-24 per CoinGecko?', 'BTC', 'below', 88_500, 'close', '2026-05-24'],
  ['Will ETH be over 4,200 USD on May 30th?', 'ETH', 'above', 4_200, 'close', '2026-05-30'],
  ['BTC more than $1.2m by end of year', 'BTC', 'above', 1_200_000, 'touch', '2026-12-31'],
  ['SOL greater than 300 dollars on June 12', 'SOL', 'above', 300, 'close', '2026-06-12'],
  ['Will SOL sink below $100 at any point before September 1?', 'SOL', 'below', 100, 'touch', '2026-09-01'],
  ['RAY closes above $4 on Jan 5', 'RAY', 'above', 4, 'close', '2027-01-05'],
  ['Will BTC be below $60k on the 3rd of June?', 'BTC', 'below', 60_000, 'close', '2026-06-03'],
  ['Will SOL hit $300 on June 1?', 'SOL', null, 300, 'touch', '2026-06-01'],
  ['Will AVAX close above $50 on next Tuesday?', 'AVAX', 'above', 50, 'close', '2026-05-26'],
];

const DECLINED = [
  'Lakers win their next match before June 1',           // not a price
  'SOL closes above $250',                                 // no deadline
  'Will the price go up by Friday?',                       // no asset, no level
  'Will SOL stay above $200 until June 1?',                // needs a third kind: declined, not guessed
  'SOL closes above $250 or below $100 on June 1',         // both directions
  '',
];

describe('price thesis parsing', () => {
  it(`reads ${TABLE.length} phrasings`, () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
  });

  it.each(TABLE)('%s', (text, asset, direction, level, kind, deadline) => {
    const parsed = parsePriceThesis(text, NOW);
    expect(parsed).not.toBeNull();
    expect(parsed!.asset).toBe(asset);
    expect(parsed!.direction).toBe(direction);
    expect(parsed!.level).toBeCloseTo(level, 10);
    expect(parsed!.kind).toBe(kind);
    expect(new Date(parsed!.deadlineMs).toISOString()).toBe(new Date(eod(deadline)).toISOString());
  });

  it.each(DECLINED)('declines %j', (text) => {
    expect(parsePriceThesis(text, NOW)).toBeNull();
  });
});

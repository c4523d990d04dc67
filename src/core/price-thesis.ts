// Reads a price narrative ("SOL closes above $250 on June 1", "BTC trades below $90k by Friday", "Will ETH be over
// 4,000 USD at the end of May?") into what a price model needs: asset, direction, level, whether the price must
// close beyond the level at the deadline or only touch it before, and the deadline. Returns null for anything it
// cannot read with confidence: a strategy that declines is better than one that guesses.

export type Direction = 'above' | 'below';
export type ThesisKind = 'close' | 'touch';

export interface PriceThesis {
  asset: string;
  /** null when the wording ("hit", "reach") leaves it to the current price: above if the level is higher. */
  direction: Direction | null;
  level: number;
  kind: ThesisKind;
  /** End of the deadline day, UTC, in ms. */
  deadlineMs: number;
}

const ASSET_ALIASES: Record<string, string> = {
  sol: 'SOL', solana: 'SOL', btc: 'BTC', bitcoin: 'BTC', xbt: 'BTC', eth: 'ETH', ethereum: 'ETH', ether: 'ETH',
  jup: 'JUP', jupiter: 'JUP', bonk: 'BONK', wif: 'WIF', dogwifhat: 'WIF', pyth: 'PYTH', jto: 'JTO', ray: 'RAY',
  raydium: 'RAY', bnb: 'BNB', xrp: 'XRP', doge: 'DOGE', dogecoin: 'DOGE', ada: 'ADA', cardano: 'ADA', avax: 'AVAX',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY_MS = 86_400_000;

const ABOVE = /\b(above|over|higher than|more than|greater than|at least|exceed(?:s|ing)?|surpass(?:es)?|tops?|break(?:s)? above|beyond|north of)\b|>=?|≥/;
const BELOW = /\b(below|under|lower than|less than|at most|beneath|south of|drops? (?:to|below)|dips? (?:to|below)|falls? (?:to|below)|sinks? (?:to|below))\b|<=?|≤/;
const NEUTRAL_TOUCH = /\b(hits?|reach(?:es)?|touch(?:es)?|tags?|trades? at)\b/;
const CLOSE_WORDS = /\b(close[sd]?|closing|settles?|settle[sd]|end(?:s)? (?:the day|trading)|at the end of|daily close|on \w+ \d|on \d{4}-\d{2}-\d{2}|on (?:the )?\d{1,2}(?:st|nd|rd|th)?)\b/;
const TOUCH_WORDS = /\b(by|before|until|at any (?:time|point)|any time|hits?|reach(?:es)?|touch(?:es)?|trades?|trading)\b/;

function endOfUtcDay(y: number, m: number, d: number): number {
  return Date.UTC(y, m, d, 23, 59, 59, 999);
}

/** The next end-of-day on or after `now` for a month/day without a year. */
function upcoming(nowMs: number, month: number, day: number): number {
  const now = new Date(nowMs);
  let y = now.getUTCFullYear();
  if (endOfUtcDay(y, month, day) < nowMs) y++;
  return endOfUtcDay(y, month, day);
}

function monthIndex(word: string): number {
  return MONTHS.indexOf(word.slice(0, 3).toLowerCase());
}

export function parseDeadline(text: string, nowMs: number): number | null {
  const t = text.toLowerCase();
  let m = /(\d{4})-(\d{2})-(\d{2})/.exec(t);
  if (m) return endOfUtcDay(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const monthRe = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
  m = new RegExp(`\\b${monthRe}\\.? (\\d{1,2})(?:st|nd|rd|th)?(?:,? (\\d{4}))?\\b`).exec(t);
  if (m) {
    const month = monthIndex(m[1]!);
    const day = Number(m[2]);
    return m[3] ? endOfUtcDay(Number(m[3]), month, day) : upcoming(nowMs, month, day);
  }
  m = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)? (?:of )?${monthRe}(?:,? (\\d{4}))?\\b`).exec(t);
  if (m) {
    const month = monthIndex(m[2]!);
    const day = Number(m[1]);
    return m[3] ? endOfUtcDay(Number(m[3]), month, day) : upcoming(nowMs, month, day);
  }
  m = new RegExp(`\\b(?:the )?end of ${monthRe}(?: (\\d{4}))?\\b`).exec(t);
  if (m) {
    const month = monthIndex(m[1]!);
    const now = new Date(nowMs);
    let y = m[2] ? Number(m[2]) : now.getUTCFullYear();
    const last = (yy: number) => endOfUtcDay(yy, month + 1, 0);
    if (!m[2] && last(y) < nowMs) y++;
    return last(y);
  }
  m = new RegExp(`\\bbefore (?:the start of )?${monthRe}(?: (\\d{4}))?\\b`).exec(t);
  if (m) {
    // "before June": the last day of May
    const month = monthIndex(m[1]!);
    const now = new Date(nowMs);
    let y = m[2] ? Number(m[2]) : now.getUTCFullYear();
    if (!m[2] && endOfUtcDay(y, month, 0) < nowMs) y++;
    return endOfUtcDay(y, month, 0);
  }
  const now = new Date(nowMs);
  const today = endOfUtcDay(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (/\b(?:the )?end of (?:the |this )?month\b/.test(t)) return endOfUtcDay(now.getUTCFullYear(), now.getUTCMonth() + 1, 0);
  if (/\b(?:the )?end of (?:the |this )?week\b/.test(t)) return today + ((7 - now.getUTCDay()) % 7) * DAY_MS;
  if (/\b(?:the )?end of (?:the |this )?year\b/.test(t)) return endOfUtcDay(now.getUTCFullYear(), 11, 31);
  if (/\btomorrow\b/.test(t)) return today + DAY_MS;
  if (/\btoday\b|\btonight\b/.test(t)) return today;
  m = /\bin (\d{1,3}) (day|week)s?\b/.exec(t);
  if (m) return today + Number(m[1]) * (m[2] === 'week' ? 7 : 1) * DAY_MS;
  m = new RegExp(`\\b(?:next |this )?(${WEEKDAYS.join('|')})\\b`).exec(t);
  if (m) {
    const target = WEEKDAYS.indexOf(m[1]!);
    let ahead = (target - now.getUTCDay() + 7) % 7;
    if (/\bnext \w+day\b/.test(t) && ahead === 0) ahead = 7;
    return today + ahead * DAY_MS;
  }
  return null;
}

/** "$90k", "90,000", "4,000 USD", "$1.2m", "$0.000035" → number. */
export function parseLevel(raw: string): number | null {
  const m = /^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*([km]|bn|b)?$/i.exec(raw.trim());
  if (!m) return null;
  let value = Number(m[1]!.replace(/,/g, '') + (m[2] ?? ''));
  const suffix = (m[3] ?? '').toLowerCase();
  if (suffix === 'k') value *= 1e3;
  else if (suffix === 'm') value *= 1e6;
  else if (suffix === 'b' || suffix === 'bn') value *= 1e9;
  return Number.isFinite(value) && value > 0 ? value : null;
}

function findAsset(text: string): string | null {
  const tokens = text.match(/\$?[A-Za-z]{2,12}(?=[\s/'’?,.:!)-]|$)/g) ?? [];
  for (const token of tokens) {
    const bare = token.replace(/^\$/, '');
    const alias = ASSET_ALIASES[bare.toLowerCase()];
    if (alias) return alias;
  }
  return null;
}

function findLevel(text: string): number | null {
  // Prefer an amount written as money: "$250", "250 USD", "250 dollars", "$90k".
  const money = /\$\s?\d[\d,]*(?:\.\d+)?\s?(?:k|m|bn|b)?\b|\b\d[\d,]*(?:\.\d+)?\s?(?:k|m|bn)?\s?(?:usd[ct]?|dollars|usd)\b/gi;
  for (const match of text.match(money) ?? []) {
    const level = parseLevel(match.replace(/\s?(usd[ct]?|dollars)$/i, '').trim());
    if (level !== null) return level;
  }
  // Otherwise a bare number after a comparison word ("over 4,000", "above 3500").
  const bare = /\b(?:above|over|below|under|than|least|most|hit|reach|at|to|exceed|>|<)\s*=?\s*(\d[\d,]*(?:\.\d+)?\s?(?:k|m)?)(?![\d-])/i.exec(text);
  return bare ? parseLevel(bare[1]!) : null;
}

const MEMO_LIMIT = 20_000;
const memo = new Map<string, { day: number; parsed: PriceThesis | null }>();

/**
 * Parses a thesis as of `nowMs`. Memoised: a parse depends on `nowMs` only through its UTC day (relative dates and
 * year roll-over change at midnight), and each tick asks again about the same texts.
 */
export function parsePriceThesis(text: string, nowMs: number): PriceThesis | null {
  const day = Math.floor(nowMs / DAY_MS);
  const hit = memo.get(text);
  if (hit?.day === day) return hit.parsed === null ? null : { ...hit.parsed };
  const parsed = parseUncached(text, nowMs);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, { day, parsed });
  return parsed === null ? null : { ...parsed };
}

function parseUncached(text: string, nowMs: number): PriceThesis | null {
  const t = text.replace(/\s+/g, ' ').trim();
  if (!t || t.length > 500) return null;
  const lower = t.toLowerCase();
  const asset = findAsset(t);
  if (!asset) return null;
  const level = findLevel(t);
  if (level === null) return null;
  const deadlineMs = parseDeadline(t, nowMs);
  if (deadlineMs === null) return null;

  // Direction: explicit words first; "stay above until" would need a third kind, so decline it.
  if (/\b(stay|remain|hold)s? (above|below|over|under)\b/.test(lower)) return null;
  const above = ABOVE.test(lower);
  const below = BELOW.test(lower);
  let direction: Direction | null;
  if (above && !below) direction = 'above';
  else if (below && !above) direction = 'below';
  else if (!above && !below && NEUTRAL_TOUCH.test(lower)) direction = null;
  else return null;

  const close = CLOSE_WORDS.test(lower);
  const touch = TOUCH_WORDS.test(lower);
  const kind: ThesisKind = close && !/\b(at any (?:time|point)|any time|hits?|reach(?:es)?|touch(?:es)?)\b/.test(lower) ? 'close' : touch ? 'touch' : 'close';
  if (direction === null && kind === 'close') return null;
  return { asset, direction, level, kind, deadlineMs };
}

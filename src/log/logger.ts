// Logs are events with fields (`event`, `narrative_id`, `amount_lamports`, …), never secrets. Readable lines on a
// TTY (colour unless NO_COLOR), one JSON object a line otherwise. Under journald (JOURNAL_STREAM names our stream)
// each line starts with the sd-daemon priority prefix (<3> error … <7> debug), so `journalctl -p warning` works.
// A warning repeated with the same fields is written on change, then at most once per interval with a count.
// Every value passes the redactor before it is written.
import { fstatSync } from 'node:fs';
import winston from 'winston';
import { processRedactor, Redactor } from './redactor.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  debug(event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  /** Whether a line at `level` would be written (to skip building costly fields on a hot path). */
  enabled(level: LogLevel): boolean;
  readonly redactor: Redactor;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'auto' | 'json' | 'pretty';
  redactor?: Redactor;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  stream?: NodeJS.WritableStream;
  /** Prefix each line with its sd-daemon priority; default: when JOURNAL_STREAM names the stream's file. */
  journald?: boolean;
  /** Colour on a TTY; default: unless NO_COLOR is set (https://no-color.org). */
  colour?: boolean;
  /** A warning repeated with the same fields is written again at most this often (default 15 min; 0 = always). */
  repeatIntervalMs?: number;
  now?: () => number;
  env?: NodeJS.ProcessEnv;
}

/** sd-daemon(3) priorities: what journald files each level under. */
const PRIORITY: Record<string, number> = { error: 3, warn: 4, info: 6, debug: 7 };
const MESSAGE = Symbol.for('message');

/** True when JOURNAL_STREAM ("device:inode") is the file behind `stream` (stdout by default), as sd_journal_stream_fd says to check. */
export function writesToJournal(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const js = env.JOURNAL_STREAM;
  if (!js) return false;
  const fd = (stream as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return false;
  try {
    const st = fstatSync(fd);
    const [dev, ino] = js.split(':');
    return `${st.dev}` === dev && `${st.ino}` === ino;
  } catch {
    return false;
  }
}

/**
 * Text for stderr at a level: under journald every line carries the level's priority prefix (journald reads one per
 * line), so the message a command ends with (a configuration error, exit 78) is found by `journalctl -p err`.
 */
export function forStderr(text: string, level: keyof typeof PRIORITY & string = 'error', env: NodeJS.ProcessEnv = process.env): string {
  if (!writesToJournal(process.stderr, env)) return text;
  const prefix = `<${PRIORITY[level] ?? 3}>`;
  return text.replace(/^(?=.)/gm, prefix);
}

const LEVEL_COLOURS: Record<string, string> = { error: '\x1b[31m', warn: '\x1b[33m', info: '\x1b[36m', debug: '\x1b[90m' };

function prettyValue(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

function prettyLine(colour: boolean) {
  return winston.format.printf((info) => {
    const { level, message, timestamp, msg, ...fields } = info as Record<string, unknown>;
    const time = String(timestamp).slice(11, 19);
    const lvl = String(level).padEnd(5);
    const head = colour ? `${LEVEL_COLOURS[String(level)] ?? ''}${lvl}\x1b[0m` : lvl;
    const rest = Object.entries(fields)
      .filter(([k]) => typeof k === 'string' && k !== 'splat')
      .map(([k, v]) => `${k}=${prettyValue(v)}`)
      .join(' ');
    return `${time} ${head} ${String(message)}${msg ? ` — ${String(msg)}` : ''}${rest ? `  ${rest}` : ''}`;
  });
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const redactor = options.redactor ?? processRedactor;
  const stream = options.stream ?? process.stdout;
  const env = options.env ?? process.env;
  const pretty = options.format === 'pretty' || (options.format !== 'json' && (stream as { isTTY?: boolean }).isTTY === true);
  const colour = options.colour ?? ((stream as { isTTY?: boolean }).isTTY === true && !env.NO_COLOR);
  const journald = options.journald ?? writesToJournal(stream, env);
  const priority = winston.format((info) => {
    const line = (info as unknown as Record<symbol, unknown>)[MESSAGE];
    if (typeof line === 'string') (info as unknown as Record<symbol, unknown>)[MESSAGE] = `<${PRIORITY[info.level] ?? 6}>${line}`;
    return info;
  });
  const redact = winston.format((info) => {
    for (const key of Object.keys(info)) {
      (info as Record<string, unknown>)[key] = redactor.redact((info as Record<string, unknown>)[key]);
    }
    return info;
  });
  const base = winston.createLogger({
    level: options.level ?? 'info',
    format: winston.format.combine(
      redact(),
      winston.format.timestamp(),
      pretty ? prettyLine(colour) : winston.format.json(),
      ...(journald ? [priority()] : []),
    ),
    transports: [new winston.transports.Stream({ stream })],
  });
  const repeats = new RepeatFilter(options.repeatIntervalMs ?? 15 * 60_000, options.now ?? Date.now);
  return wrap(base, {}, redactor, LEVEL_RANK[options.level ?? 'info'], repeats);
}

/**
 * Per warning event: the same fields again within the interval are counted, not written; the next line written
 * for it (when the fields change, or the interval has passed) carries `repeated` = how many were held back.
 */
class RepeatFilter {
  private readonly last = new Map<string, { key: string; at: number; held: number }>();

  constructor(private readonly intervalMs: number, private readonly now: () => number) {}

  /** The condition the warning reports ended: its next occurrence is a change, written at once. Returns how many were held back. */
  end(event: string): number {
    const held = this.last.get(event)?.held ?? 0;
    this.last.delete(event);
    return held;
  }

  /** null: hold this one back; else the number of earlier repeats to report with it (0: none). */
  admit(event: string, fields: LogFields): number | null {
    if (this.intervalMs <= 0) return 0;
    let key: string;
    try {
      key = JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    } catch {
      return 0; // unserialisable fields: never held back
    }
    const now = this.now();
    const prev = this.last.get(event);
    if (prev && prev.key === key && now - prev.at < this.intervalMs) {
      prev.held++;
      return null;
    }
    const held = prev && prev.key === key ? prev.held : 0;
    this.last.set(event, { key, at: now, held: 0 });
    return held;
  }
}

const LEVEL_RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const noop = () => {};
/** Where a logger (and its children and taps) keeps its repeat filter; not part of the Logger interface. */
const REPEATS = Symbol('magma.log.repeats');
type WithRepeats = { [REPEATS]?: RepeatFilter };

/**
 * Says that what a repeated warning reported is over (a gate open again, a balance funded): the next `event` is
 * written at once, not held back as a repeat. Returns how many repeats were held back since the last line written.
 */
export function repeatEnded(logger: Logger, event: string): number {
  return (logger as WithRepeats)[REPEATS]?.end(event) ?? 0;
}

function wrap(base: winston.Logger, bound: LogFields, redactor: Redactor, max: number, repeats: RepeatFilter): Logger {
  // A level below the configured one is a no-op function: no fields object is built, nothing reaches winston.
  const log = (level: LogLevel) => (LEVEL_RANK[level] > max ? noop : (event: string, fields: LogFields = {}) => {
    const all = { ...bound, ...fields };
    if (level === 'warn') {
      const held = repeats.admit(event, all);
      if (held === null) return;
      if (held > 0) all.repeated = held;
    }
    base.log(level, event, all);
  });
  const logger: Logger & WithRepeats = {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: (fields) => wrap(base, { ...bound, ...fields }, redactor, max, repeats),
    enabled: (level) => LEVEL_RANK[level] <= max,
    redactor,
    [REPEATS]: repeats,
  };
  return logger;
}

/** A logger that discards everything (for library use and quiet tests). */
export function silentLogger(): Logger {
  const redactor = new Redactor();
  const self: Logger = { error: noop, warn: noop, info: noop, debug: noop, child: () => self, enabled: () => false, redactor };
  return self;
}

/** A logger that also hands every event written at an enabled level to `observe` (in-process metrics and alerts). */
export function tapLogger(logger: Logger, observe: (level: LogLevel, event: string, fields: LogFields) => void): Logger {
  const at = (level: LogLevel) => (event: string, fields: LogFields = {}) => {
    try {
      observe(level, event, fields);
    } catch {
      // an observer's failure must never stop the line being logged
    }
    logger[level](event, fields);
  };
  const tapped: Logger & WithRepeats = {
    error: at('error'), warn: at('warn'), info: at('info'), debug: logger.debug,
    child: (fields) => tapLogger(logger.child(fields), (level, event, f) => observe(level, event, { ...fields, ...f })),
    enabled: (level) => logger.enabled(level),
    redactor: logger.redactor,
    [REPEATS]: (logger as WithRepeats)[REPEATS],
  };
  return tapped;
}

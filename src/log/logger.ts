// Logs are events with fields (`event`, `narrative_id`, `amount_lamports`, …), never secrets. Readable lines on a
// TTY, one JSON object a line otherwise (journald). Every value passes the redactor before it is written.
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
  const pretty = options.format === 'pretty' || (options.format !== 'json' && (stream as { isTTY?: boolean }).isTTY === true);
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
      pretty ? prettyLine((stream as { isTTY?: boolean }).isTTY === true) : winston.format.json(),
    ),
    transports: [new winston.transports.Stream({ stream })],
  });
  return wrap(base, {}, redactor, LEVEL_RANK[options.level ?? 'info']);
}

const LEVEL_RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const noop = () => {};

function wrap(base: winston.Logger, bound: LogFields, redactor: Redactor, max: number): Logger {
  // A level below the configured one is a no-op function: no fields object is built, nothing reaches winston.
  const log = (level: LogLevel) => (LEVEL_RANK[level] > max ? noop : (event: string, fields: LogFields = {}) => {
    base.log(level, event, { ...bound, ...fields });
  });
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: (fields) => wrap(base, { ...bound, ...fields }, redactor, max),
    enabled: (level) => LEVEL_RANK[level] <= max,
    redactor,
  };
}

/** A logger that discards everything (for library use and quiet tests). */
export function silentLogger(): Logger {
  const redactor = new Redactor();
  const self: Logger = { error: noop, warn: noop, info: noop, debug: noop, child: () => self, enabled: () => false, redactor };
  return self;
}

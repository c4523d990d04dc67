// Loads the configuration with the precedence of INTERFACE.md: flag > environment > config file > default.json.
// Every problem is reported at once, each naming its key, where the value came from, and the fix (exit 78).
import { join, resolve } from 'node:path';
import { isMagmaError, MagmaError } from '../core/errors.js';
import { readFileOrExplain } from '../fs/read-file-or-explain.js';
import { packageRoot } from '../paths.js';
import { configSchema, type Config } from './schema.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Environment variables that set config keys, with the type their text is read as. */
export const ENV_KEYS: ReadonlyArray<[variable: string, key: string, type: 'string' | 'number' | 'boolean']> = [
  ['MAGMA_API_URL', 'api.url', 'string'],
  ['MAGMA_RPC_URL', 'rpc.url', 'string'],
  ['MAGMA_KEYPAIR', 'wallet.keypairPath', 'string'],
  ['MAGMA_DATA_DIR', 'dataDir', 'string'],
  ['MAGMA_DRY_RUN', 'dryRun', 'boolean'],
  ['MAGMA_LOG_LEVEL', 'log.level', 'string'],
  ['MAGMA_BACKING_PROGRAM_ID', 'backing.programId', 'string'],
  ['MAGMA_POLL_INTERVAL_S', 'poll.intervalSeconds', 'number'],
  ['MAGMA_PRICES_SOURCE', 'prices.source', 'string'],
  ['MAGMA_PRICES_URL', 'prices.url', 'string'],
  ['MAGUS_API_URL', 'magus.url', 'string'],
  ['MAGUS_API_KEY', 'magus.apiKey', 'string'],
];

export interface ConfigInput {
  /** Dotted key → value, from command-line flags. */
  flags?: Record<string, Json | undefined>;
  env?: NodeJS.ProcessEnv;
  /** --config FILE; else MAGMA_CONFIG; else none. */
  configFile?: string | undefined;
}

export interface LoadedConfig {
  config: Config;
  /** The agent API key from MAGMA_API_KEY, if set (else the stored one is used). */
  apiKeyOverride: string | null;
  configFile: string | null;
  /** Where each key's value came from, for messages ("set by MAGMA_POLL_INTERVAL_S"). */
  origins: ReadonlyMap<string, string>;
  /** What the operator should know but that does not stop start-up (keys that were ignored), one sentence each. */
  warnings: string[];
}

/** Keys that would reach an object's prototype when merged: never read from a file, and named when met. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Removes __proto__, constructor and prototype keys at any depth of a parsed file (JSON.parse keeps them as plain
 * keys; merging them would set prototypes), and gives their dotted paths. Iterative: depth cannot overflow the stack.
 */
function dropForbiddenKeys(root: JsonObject): string[] {
  const found: string[] = [];
  const stack: Array<[Json, string]> = [[root, '']];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      node.forEach((v, i) => stack.push([v, `${path}[${i}]`]));
      continue;
    }
    for (const k of Object.keys(node)) {
      const at = path ? `${path}.${k}` : k;
      if (FORBIDDEN_KEYS.has(k)) {
        found.push(at);
        delete node[k];
      } else {
        stack.push([node[k]!, at]);
      }
    }
  }
  return found.sort();
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setPath(target: JsonObject, key: string, value: Json): void {
  const parts = key.split('.');
  if (parts.some((p) => FORBIDDEN_KEYS.has(p))) return;
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(node[part])) node[part] = {};
    node = node[part] as JsonObject;
  }
  node[parts[parts.length - 1]!] = value;
}

/** Deep merge where objects merge and everything else (arrays included) is replaced; records each leaf's origin. */
function mergeInto(target: JsonObject, source: JsonObject, origin: string, origins: Map<string, string>, prefix = ''): void {
  for (const [k, v] of Object.entries(source)) {
    if (FORBIDDEN_KEYS.has(k)) continue; // never a prototype, whatever the source
    const path = prefix ? `${prefix}.${k}` : k;
    if (isObject(v) && isObject(target[k])) {
      mergeInto(target[k] as JsonObject, v, origin, origins, path);
    } else {
      target[k] = v;
      origins.set(path, origin);
    }
  }
}

function readJsonFile(path: string, what: string, warnings?: string[]): JsonObject {
  let text: string;
  try {
    // a file the agent's user may not read says so, with its owner and mode (not a puzzling EACCES)
    text = readFileOrExplain(path, what, 'CONFIG_INVALID', 'Give the agent\'s user read access, e.g. `chown root:magma FILE && chmod 0640 FILE` for a config beside secrets kept elsewhere (README, "Run under systemd").'.replaceAll('FILE', path));
  } catch (cause) {
    if (isMagmaError(cause)) throw cause;
    throw new MagmaError('CONFIG_INVALID', `cannot read ${what} ${path}: ${(cause as Error).message}.`, {
      cause,
      hint: 'Check the path given with --config or MAGMA_CONFIG.',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new MagmaError('CONFIG_INVALID', `${what} ${path} is not valid JSON: ${(cause as Error).message}.`, {
      cause,
      hint: 'Fix the JSON syntax (comments and trailing commas are not allowed).',
    });
  }
  if (!isObject(parsed)) {
    throw new MagmaError('CONFIG_INVALID', `${what} ${path} must hold a JSON object.`, { hint: 'See config/default.json.' });
  }
  const dropped = dropForbiddenKeys(parsed);
  if (dropped.length) warnings?.push(`${what} ${path}: ignored the key${dropped.length > 1 ? 's' : ''} ${dropped.map((k) => `"${k}"`).join(', ')} (such keys could change how every object behaves); remove ${dropped.length > 1 ? 'them' : 'it'}.`);
  return parsed;
}

function envValue(variable: string, raw: string, type: 'string' | 'number' | 'boolean'): Json {
  if (type === 'string') return raw;
  if (type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) {
      throw new MagmaError('CONFIG_INVALID', `${variable}="${raw}" is not a number.`, { hint: `Set ${variable} to a number or unset it.` });
    }
    return n;
  }
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', ''].includes(raw.toLowerCase())) return false;
  throw new MagmaError('CONFIG_INVALID', `${variable}="${raw}" is not a boolean.`, { hint: `Set ${variable} to 1 or 0.` });
}

function describeIssue(issue: { code: string; path: PropertyKey[]; message: string; keys?: string[] }, origins: ReadonlyMap<string, string>): string[] {
  const base = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    return issue.keys.map((k) => {
      const key = base ? `${base}.${k}` : k;
      return `unknown key "${key}" (${origins.get(key) ?? 'config'}): remove it or fix its spelling (see config/default.json for the known keys).`;
    });
  }
  const key = base || '(root)';
  // The value's own origin, else the nearest enclosing key's (arrays are replaced whole), else a key below it.
  let origin: string | undefined;
  for (let parts = issue.path.map(String); parts.length && !origin; parts = parts.slice(0, -1)) origin = origins.get(parts.join('.'));
  origin ??= [...origins.keys()].filter((k) => k.startsWith(base + '.')).map((k) => origins.get(k))[0] ?? 'config';
  return [`"${key}" (${origin}): ${issue.message}.`];
}

export function loadConfig(input: ConfigInput = {}): LoadedConfig {
  const env = input.env ?? process.env;
  const origins = new Map<string, string>();
  const warnings: string[] = [];
  const merged: JsonObject = {};
  mergeInto(merged, readJsonFile(join(packageRoot(), 'config', 'default.json'), 'default config'), 'default', origins);

  const configFile = input.configFile ?? (env.MAGMA_CONFIG || undefined);
  if (configFile) {
    const path = resolve(configFile);
    mergeInto(merged, readJsonFile(path, 'config file', warnings), `config file ${path}`, origins);
  }

  const fromEnv: JsonObject = {};
  for (const [variable, key, type] of ENV_KEYS) {
    const raw = env[variable];
    if (raw === undefined) continue;
    setPath(fromEnv, key, envValue(variable, raw, type));
    origins.set(key, `set by ${variable}`);
  }
  mergeInto(merged, fromEnv, 'environment', new Map());

  const fromFlags: JsonObject = {};
  for (const [key, value] of Object.entries(input.flags ?? {})) {
    if (value === undefined) continue;
    setPath(fromFlags, key, value);
    origins.set(key, 'set by a command-line flag');
  }
  mergeInto(merged, fromFlags, 'flag', new Map());

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.flatMap((i) => describeIssue(i as never, origins));
    problems.push(...warnings);
    throw new MagmaError('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      context: { problems },
      hint: 'Fix the keys named above; nothing was started.',
    });
  }
  const apiKey = env.MAGMA_API_KEY?.trim();
  return {
    config: result.data,
    apiKeyOverride: apiKey ? apiKey : null,
    configFile: configFile ? resolve(configFile) : null,
    origins,
    warnings,
  };
}

/** Every secret value configured, for the log redactor. */
export function configuredSecrets(loaded: LoadedConfig): string[] {
  const { config } = loaded;
  return [loaded.apiKeyOverride, config.magus.apiKey, config.prices.apiKey].filter((s): s is string => !!s);
}

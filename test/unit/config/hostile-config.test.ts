// Issue 12's config rows: a __proto__ key polluted Object.prototype (and the error listed 19 invented keys);
// risk.maxDailySol: 1e300 ended in "Cannot convert to a BigInt" (exit 1); a bad metrics.bind named another key;
// durations past what a timer holds fired at once, over and over.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS, realSleep } from '../../../src/clock/real-sleep.js';
import { loadConfig } from '../../../src/config/load.js';
import { MAX_DURATION_SECONDS } from '../../../src/config/schema.js';
import { exitCodeFor, isMagmaError, MagmaError } from '../../../src/core/errors.js';
import { riskLimits } from '../../../src/core/risk.js';

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'magma-config-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, text);
  return path;
}

function failure(text: string, env: NodeJS.ProcessEnv = {}): MagmaError<'CONFIG_INVALID'> {
  try {
    loadConfig({ env, configFile: configFile(text) });
  } catch (err) {
    expect(err).toBeInstanceOf(MagmaError);
    expect(exitCodeFor(err)).toBe(78);
    expect(isMagmaError(err, 'CONFIG_INVALID')).toBe(true);
    return err as MagmaError<'CONFIG_INVALID'>;
  }
  throw new Error('expected the configuration to be refused');
}

afterEach(() => {
  vi.restoreAllMocks();
  for (const k of ['polluted', 'intervalSeconds', 'maxDailySol']) delete (Object.prototype as Record<string, unknown>)[k];
});

describe('hostile configuration files', () => {
  it('ignores __proto__, constructor and prototype keys at any depth, names them, and pollutes nothing', () => {
    const loaded = loadConfig({
      env: {},
      configFile: configFile('{"__proto__": {"polluted": true, "intervalSeconds": 1}, "poll": {"constructor": {"prototype": {"polluted": 1}}, "intervalSeconds": 30}, "risk": {"prototype": {}}}'),
    });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(loaded.config.poll.intervalSeconds).toBe(30);
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(/: ignored the keys "__proto__", "poll.constructor", "risk.prototype" \(such keys could change how every object behaves\); remove them\.$/);
  });

  it('names an ignored key beside real problems, and invents no others', () => {
    const err = failure('{"__proto__": {"x": 1}, "poll": {"intervalSeconds": 1}}');
    const problems = err.context.problems ?? [];
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^"poll.intervalSeconds" \(config file .*\): below 2 s/);
    expect(problems[1]).toMatch(/ignored the key "__proto__"/);
  });

  it.each([
    ['risk.maxDailySol', '{"risk": {"maxDailySol": 1e300}}', /"risk.maxDailySol" .*above 9223372036 SOL is more than lamports in int64 can hold/],
    ['risk.maxExposureSol', '{"risk": {"maxExposureSol": 1e300}}', /"risk.maxExposureSol"/],
    ['sim.fundSol', '{"sim": {"fundSol": 1e19}}', /"sim.fundSol" .*int64/],
    ['metrics.bind', '{"metrics": {"enabled": true, "bind": "not an address"}}', /"metrics.bind" .*must be an IP address of this machine/],
    ['webhook.bind', '{"webhook": {"bind": "example.com"}}', /"webhook.bind" .*must be an IP address/],
    ['poll.intervalSeconds', `{"poll": {"intervalSeconds": ${MAX_DURATION_SECONDS + 1}}}`, /"poll.intervalSeconds" .*longer than a timer can wait/],
    ['poll.jitterSeconds', '{"poll": {"jitterSeconds": 1e12}}', /"poll.jitterSeconds" .*longer than a timer can wait/],
    ['poll.minGapSeconds', '{"poll": {"minGapSeconds": 1e12}}', /"poll.minGapSeconds"/],
    ['api.rateLimits.feed.windowSeconds', '{"api": {"rateLimits": {"feed": {"limit": 1, "windowSeconds": 1e12}}}}', /"api.rateLimits.feed.windowSeconds" .*timer/],
    ['prices.maxAgeSeconds', '{"prices": {"maxAgeSeconds": 1e12}}', /"prices.maxAgeSeconds"/],
    ['strategies.0.weight', '{"strategies": [{"name": "crowd", "weight": 1e308}]}', /"strategies.0.weight" .*overflows the pooled forecast/],
    ['strategies.0.timeoutMs (a numeric string)', '{"strategies": [{"name": "crowd", "timeoutMs": "5000"}]}', /"strategies.0.timeoutMs" .*expected number, received string/],
    ['poll.intervalSeconds (a numeric string)', '{"poll": {"intervalSeconds": "30"}}', /"poll.intervalSeconds" .*expected number, received string/],
    ['poll.jitterSeconds (negative)', '{"poll": {"jitterSeconds": -5}}', /"poll.jitterSeconds" .*cannot be negative/],
    ['api.rateLimits.feed.windowSeconds (negative)', '{"api": {"rateLimits": {"feed": {"limit": 1, "windowSeconds": -60}}}}', /"api.rateLimits.feed.windowSeconds"/],
    ['backing.confirmTimeoutSeconds (negative)', '{"backing": {"confirmTimeoutSeconds": -1}}', /"backing.confirmTimeoutSeconds"/],
    ['alerts.unreachableMinutes (huge)', '{"alerts": {"unreachableMinutes": 1e300}}', /"alerts.unreachableMinutes"/],
  ])('%s out of range exits 78 naming the key', (_key, text, message) => {
    expect(failure(text).message).toMatch(message);
  });

  it('MAGMA_POLL_INTERVAL_S past a timer is refused naming the key and the variable', () => {
    const err = failure('{}', { MAGMA_POLL_INTERVAL_S: '1e300' });
    expect(err.message).toMatch(/"poll.intervalSeconds" \(set by MAGMA_POLL_INTERVAL_S\): .*longer than a timer can wait/);
  });

  it('the largest accepted amounts still convert to lamports', () => {
    const { config } = loadConfig({ env: {}, configFile: configFile('{"risk": {"maxDailySol": 9223372036, "maxExposureSol": 9223372036, "minBalanceSol": 9223372036}}') });
    expect(riskLimits(config.risk).maxDaily).toBe(9_223_372_036_000_000_000n);
  });
});

describe('long sleeps', () => {
  it('never hand a timer more than it holds: a wait past 24.8 days is taken in steps', async () => {
    const delays: number[] = [];
    const real = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return real(() => undefined, 0); // never fires the sleep's step: only the delays asked for matter here
    }) as typeof setTimeout);
    const ac = new AbortController();
    const sleeping = realSleep(3_000_000_000, ac.signal).catch(() => 'aborted');
    ac.abort();
    expect(await sleeping).toBe('aborted');
    expect(delays).toEqual([MAX_TIMER_MS]);
  });
});

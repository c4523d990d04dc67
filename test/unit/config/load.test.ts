import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { MagmaError } from '../../../src/core/errors.js';

function configFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'magma-config-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function failure(input: Parameters<typeof loadConfig>[0]): MagmaError {
  try {
    loadConfig({ env: {}, ...input });
  } catch (err) {
    expect(err).toBeInstanceOf(MagmaError);
    return err as MagmaError;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('loads the defaults of INTERFACE.md with no file and no environment', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.api.url).toBe('https://api.magmaprotocol.xyz');
    expect(config.resolution.minConfidence).toBe(0.8);
    expect(config.risk.maxStakeSol).toBe(1);
    expect(config.strategies.map((s) => s.name)).toEqual(['crowd', 'price-threshold']);
  });

  it('applies flag > environment > file > default', () => {
    const file = configFile({ poll: { intervalSeconds: 30 }, dataDir: '/from-file', api: { url: 'http://127.0.0.1:1' } });
    const { config } = loadConfig({
      configFile: file,
      env: { MAGMA_POLL_INTERVAL_S: '45', MAGMA_DATA_DIR: '/from-env' },
      flags: { dataDir: '/from-flag' },
    });
    expect(config.poll.intervalSeconds).toBe(45); // env beats file
    expect(config.dataDir).toBe('/from-flag'); // flag beats env
    expect(config.api.url).toBe('http://127.0.0.1:1'); // file beats default
    expect(config.poll.jitterSeconds).toBe(5); // untouched default survives a partial section
  });

  it('reads MAGMA_CONFIG when no --config is given, and MAGMA_API_KEY as the key override', () => {
    const file = configFile({ dryRun: true });
    const loaded = loadConfig({ env: { MAGMA_CONFIG: file, MAGMA_API_KEY: 'mk-test-override-123', MAGMA_DRY_RUN: '0' } });
    expect(loaded.configFile).toBe(file);
    expect(loaded.config.dryRun).toBe(false); // env beats file
    expect(loaded.apiKeyOverride).toBe('mk-test-override-123');
  });

  it('refuses an unknown key and names it', () => {
    const err = failure({ configFile: configFile({ risk: { maxStake: 2 } }) });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('unknown key "risk.maxStake"');
  });

  it('refuses a wrong type and names the key', () => {
    const err = failure({ configFile: configFile({ poll: { intervalSeconds: 'often' } }) });
    expect(err.message).toContain('"poll.intervalSeconds"');
  });

  it('refuses resolution.minConfidence below 0.7', () => {
    const err = failure({ configFile: configFile({ resolution: { minConfidence: 0.5 } }) });
    expect(err.message).toContain('"resolution.minConfidence"');
    expect(err.message).toContain('0.7');
  });

  it('refuses a stake above 10 SOL', () => {
    const err = failure({ configFile: configFile({ risk: { maxStakeSol: 12 } }) });
    expect(err.message).toContain('"risk.maxStakeSol"');
    expect(err.message).toContain('10 SOL');
  });

  it('refuses a negative cap and a minimum stake below the protocol minimum', () => {
    const err = failure({ configFile: configFile({ risk: { maxDailySol: -1, minStakeSol: 0.0001 } }) });
    expect(err.message).toContain('"risk.maxDailySol"');
    expect(err.message).toContain('"risk.minStakeSol"');
  });

  it('says which environment variable set a bad value', () => {
    const err = failure({ env: { MAGMA_POLL_INTERVAL_S: '1' } });
    expect(err.message).toContain('MAGMA_POLL_INTERVAL_S');
    const notNumber = failure({ env: { MAGMA_POLL_INTERVAL_S: 'soon' } });
    expect(notNumber.message).toContain('MAGMA_POLL_INTERVAL_S="soon" is not a number');
  });

  it('explains a config file that is not JSON', () => {
    const err = failure({ configFile: configFile('{ "dryRun": true, }') });
    expect(err.message).toMatch(/is not valid JSON/);
  });

  it('requires each strategy entry to name a built-in or a path, not both', () => {
    const err = failure({ configFile: configFile({ strategies: [{ name: 'crowd', path: './x.mjs' }] }) });
    expect(err.message).toContain('"strategies.0"');
  });

  it('refuses webhook.enabled without a public URL, and an invalid poll.cron', () => {
    const err = failure({ configFile: configFile({ webhook: { enabled: true }, poll: { cron: '61 * * * *' } }) });
    expect(err.message).toContain('"webhook.publicUrl"');
    expect(err.message).toContain('"poll.cron"');
  });

  it('names the file an array entry came from', () => {
    const file = configFile({ strategies: [{ name: 'crowd', weight: -1 }] });
    const err = failure({ configFile: file });
    expect(err.message).toContain(`"strategies.0.weight" (config file ${file})`);
  });
});

describe('x402 configuration', () => {
  it('never pays by default, and key-less mode needs caps and a payee', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.x402).toMatchObject({ maxPerCallUsd: 0, maxPerDayUsd: 0, allowedPayees: [] });
    expect(config.api.auth).toBe('key');
    const err = failure({ flags: { 'api.auth': 'x402' } });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('x402.maxPerCallUsd');
  });

  it('refuses a per-call cap above the daily one, and a payee that is not an address', () => {
    expect(failure({ flags: { 'x402.maxPerCallUsd': 2, 'x402.maxPerDayUsd': 1 } }).message).toContain('above x402.maxPerDayUsd');
    expect(failure({ flags: { 'x402.allowedPayees': ['not an address'] } }).message).toContain('base58 Solana address');
  });
});

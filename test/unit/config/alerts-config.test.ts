// alerts.* in the configuration: off by default; a wrong URL, format or event stops start-up naming the key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { MagmaError } from '../../../src/core/errors.js';

function withFile(content: unknown) {
  const path = join(mkdtempSync(join(tmpdir(), 'magma-alerts-config-')), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return () => loadConfig({ env: {}, configFile: path });
}

describe('alerts configuration', () => {
  it('is off by default with every event subscribed', () => {
    const { config } = loadConfig({ env: {} });
    expect(config.alerts).toMatchObject({ url: null, format: 'json', unreachableMinutes: 10, maxPerHour: 30 });
    expect(config.alerts.events).toEqual(['backing', 'verdict', 'gate', 'unreachable', 'balance', 'stuck', 'fatal', 'daily', 'pause']);
  });

  it('accepts a Slack webhook with a subset of events', () => {
    const { config } = withFile({ alerts: { url: 'https://hooks.slack.com/services/T/B/x', format: 'slack', events: ['fatal', 'gate'] } })();
    expect(config.alerts).toMatchObject({ format: 'slack', events: ['fatal', 'gate'] });
  });

  for (const [what, alerts, key] of [
    ['a URL that is not http(s)', { url: 'ftp://example.invalid/x' }, 'alerts.url'],
    ['an unknown format', { format: 'pager' }, 'alerts.format'],
    ['an unknown event', { events: ['backing', 'everything'] }, 'alerts.events'],
    ['an hourly limit of 0', { maxPerHour: 0 }, 'alerts.maxPerHour'],
  ] as const) {
    it(`refuses ${what} with exit 78, naming ${key}`, () => {
      const load = withFile({ alerts });
      let err: unknown;
      try {
        load();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MagmaError);
      expect((err as MagmaError).code).toBe('CONFIG_INVALID');
      expect((err as MagmaError).message).toContain(key);
    });
  }
});

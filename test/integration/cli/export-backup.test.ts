// export rebuilds the recorded feed as a recording (same items as received, in feed order); backup copies the
// database consistently.
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

describe('export and backup', () => {
  it('exports each recorded poll with the feed items as received, and backs the database up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-export-'));
    expect((await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir])).code).toBe(0);
    expect((await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir])).code).toBe(0);

    const out = join(dir, 'feed.jsonl');
    const exported = await runCli(['export', '--dry-run', '--data-dir', dir, '--out', out]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/wrote 2 polls/);
    const all = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: string; narratives?: Array<{ id: string }>; prices?: Record<string, number> });
    const priceLines = all.filter((l) => l.prices);
    expect(priceLines.length).toBeGreaterThan(0); // the prices price-threshold saw travel with the recording
    expect(Object.values(priceLines[0]!.prices!).every((p) => p > 0)).toBe(true);
    const lines = all.filter((l) => l.narratives) as Array<{ t: string; narratives: Array<{ id: string }> }>;
    expect(lines).toHaveLength(2);
    const db = new Database(join(dir, 'magma-dry-run.db'), { readonly: true });
    const polls = db.prepare('SELECT observed_at, narrative_ids FROM feed_polls ORDER BY tick_id').all() as Array<{ observed_at: string; narrative_ids: string }>;
    polls.forEach((p, i) => {
      expect(lines[i]!.t).toBe(p.observed_at);
      expect(lines[i]!.narratives.map((n) => n.id)).toEqual(JSON.parse(p.narrative_ids)); // second poll rebuilt from the first's snapshots
    });
    const firstRaw = JSON.parse(db.prepare('SELECT raw_json FROM narrative_snapshots ORDER BY id LIMIT 1').pluck().get() as string);
    expect(lines[1]!.narratives.find((n) => n.id === firstRaw.id)).toEqual(firstRaw);
    db.close();

    // --outcomes naming --out's file would replace the recording just written with the outcomes (with --force too)
    for (const force of [[], ['--force']]) {
      const same = await runCli(['export', '--dry-run', '--data-dir', dir, '--out', out, '--outcomes', out, ...force]);
      expect(same.code).toBe(2);
      expect(same.stderr).toMatch(/--outcomes names the same file as --out .*Give the outcomes a file of their own/);
    }
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(all.length);

    const none = await runCli(['export', '--data-dir', dir, '--out', join(dir, 'x.jsonl')]);
    expect(none.code).toBe(78);
    expect(none.stderr).toMatch(/no database at .*magma\.db.*add --dry-run/);

    const copy = join(dir, 'copy.db');
    const backup = await runCli(['backup', '--dry-run', '--data-dir', dir, '--out', copy]);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain('integrity ok');
    const c = new Database(copy, { readonly: true });
    expect(c.prepare('SELECT COUNT(*) FROM ticks').pluck().get()).toBe(2);
    c.close();
    expect((await runCli(['backup', '--dry-run', '--data-dir', dir, '--out', copy])).stderr).toContain('refusing to overwrite');
  });
});

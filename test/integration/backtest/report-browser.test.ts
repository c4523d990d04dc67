// The backtest report in a real browser: Debian's chromium, headless, no sandbox, background networking off, driven
// over the DevTools protocol (puppeteer-core, which downloads no browser). Every chart must have drawn (a canvas with
// pixels on it), the page must log no console error and ask for nothing beyond its own file, the time charts must
// share a cursor, and a screenshot is kept under the test's temporary folder (its path is printed).
// Without chromium the test is skipped with a message, except under CI (CI=true), where it must run:
// `.ci/run` installs chromium when it is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

function findChromium(): string | null {
  const named = process.env.CHROMIUM_PATH;
  if (named) return existsSync(named) ? named : null;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not this one
    }
  }
  return null;
}

const chromium = findChromium();
const ci = process.env.CI === 'true' || process.env.CI === '1';
if (!chromium && !ci) {
  process.stderr.write('report-browser.test: SKIPPED: no chromium on this machine (apt-get install chromium, or set CHROMIUM_PATH); under CI=true this test runs and fails without it.\n');
}

describe.skipIf(!chromium && !ci)('the backtest report in headless Chromium', () => {
  let dir: string;
  let report: string;
  let browser: Browser | null = null;

  beforeAll(async () => {
    if (!chromium) throw new Error('CI=true and no chromium was found: .ci/run installs Debian\'s chromium package; set CHROMIUM_PATH if it is elsewhere.');
    dir = mkdtempSync(join(tmpdir(), 'magma-report-browser-'));
    const recording = join(dir, 'rec.jsonl');
    const outcomes = join(dir, 'out.jsonl');
    expect((await runCli(['sim', '--seed', '4', '--record', recording, '--outcomes', outcomes, '--duration', '2d', '--record-interval', '30m'])).code).toBe(0);
    report = join(dir, 'report.html');
    // Everything the report can show: strategies alone, a grid with a walk-forward, the look-ahead check.
    const r = await runCli(['backtest', '--recording', recording, '--outcomes', outcomes, '--strategies', 'crowd,price-threshold', '--check-lookahead',
      '--sweep', 'risk.kellyFraction=0.1,0.5', '--walk-forward', '2', '--report', report], {}, 170_000);
    expect(r.code).toBe(0);
    browser = await puppeteer.launch({
      executablePath: chromium, headless: true, pipe: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('draws every chart, logs no error, loads nothing but itself, syncs the cursors, and leaves a screenshot', async () => {
    const page = await browser!.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    const url = pathToFileURL(report).href;
    const requests: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      if (req.url() !== url) requests.push(req.url());
      void (req.url() === url ? req.continue() : req.abort());
    });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('body[data-charts-drawn]', { timeout: 20_000 });

    // Runs in the page (the test's types have no DOM: the little it reads is typed here).
    interface El { id: string; textContent: string | null; getAttribute(n: string): string | null; querySelector(s: string): Canvas | null }
    interface Canvas { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } }
    const charts = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { getElementById(id: string): El; body: El; querySelectorAll(s: string): Iterable<El> } }).document;
      const specs = JSON.parse(doc.getElementById('chart-data').textContent!) as Array<{ id: string }>;
      return {
        specs: specs.map((s) => s.id),
        drawn: Number(doc.body.getAttribute('data-charts-drawn')),
        divs: [...doc.querySelectorAll('.chart')].map((el) => {
          const canvas = el.querySelector('canvas');
          if (!canvas || canvas.width === 0 || canvas.height === 0) return { id: el.id, inked: 0 };
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let inked = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) inked++;
          return { id: el.id, inked };
        }),
      };
    });
    expect(charts.specs.length).toBeGreaterThanOrEqual(12);
    expect(charts.drawn).toBe(charts.specs.length);
    expect(charts.divs.map((d) => d.id).sort()).toEqual([...charts.specs].sort());
    for (const d of charts.divs) expect({ id: d.id, inked: d.inked > 50 }).toEqual({ id: d.id, inked: true });
    expect(charts.specs).toEqual(expect.arrayContaining(['chart-equity', 'chart-drawdown', 'chart-exposure', 'chart-pnl-strategy', 'chart-equity-strategy',
      'chart-scores', 'chart-reliability-0', 'chart-pnl-category', 'chart-sweep', 'chart-skips']));

    // Hovering the equity chart moves the drawdown chart's cursor too: its legend shows a value there.
    const over = await page.$('#chart-equity .u-over');
    const box = (await over!.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const legend = await page.$$eval('#chart-drawdown .u-legend .u-value', (els) => els.map((e) => (e as unknown as El).textContent));
    expect(legend[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(legend[1]).toMatch(/^-?\d+\.\d+$/);

    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    process.stdout.write(`report screenshot: ${shot}\n`);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  }, 60_000);
});

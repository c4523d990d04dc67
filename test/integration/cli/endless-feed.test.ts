// Acceptance of issue 12: against a server whose feed body never ends (no content-length), `run --once` fails with
// a clear message, and its memory stays bounded (peak RSS under 300 MB; it was 3.5 GB). Everything but the feed is
// the real simulator, through a loopback proxy.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../../src/sim/simulator.js';
import { generateKeypairFile } from '../../../src/wallet/keypair.js';
import { CLI, cleanEnv, ROOT } from '../../helpers/cli.js';

const TIME = '/usr/bin/time';
let sim: Simulator;
let proxy: Server;
let proxyUrl = '';

beforeAll(async () => {
  sim = new Simulator({ seed: 7 });
  const urls = await sim.start();
  proxy = createServer((req, res) => {
    if (req.url?.startsWith('/v1/agent/feed')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"narratives":[');
      const chunk = Buffer.from(`{"id":"${'x'.repeat(4000)}"},`);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
      return;
    }
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const headers = { ...req.headers };
      delete headers.host;
      request(`${urls.api}${req.url}`, { method: req.method as 'GET', headers, body: body.length ? Buffer.concat(body) : null })
        .then(async (r) => {
          res.writeHead(r.statusCode, r.headers as Record<string, string>);
          res.end(Buffer.from(await r.body.arrayBuffer()));
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await sim.stop();
});

describe('a feed body that never ends', () => {
  it.skipIf(!existsSync(TIME))('run --once fails with a clear message and a bounded peak RSS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-endless-'));
    generateKeypairFile(join(dir, 'wallet.json'));
    const env = cleanEnv({ MAGMA_API_URL: proxyUrl, MAGMA_RPC_URL: sim.urls.rpc, MAGMA_DATA_DIR: dir, MAGMA_KEYPAIR: join(dir, 'wallet.json') });
    const child = spawn(TIME, ['-f', 'maxrss_kb=%M', process.execPath, CLI, 'run', '--once', '--dry-run', '--log-format', 'json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(stdout + stderr, (stdout + stderr).slice(-3000)).toMatch(/\/v1\/agent\/feed at http:\/\/127\.0\.0\.1:\d+ answered with more than 4194304 bytes, over this route's 4194304-byte limit/);
    expect(code).toBe(1);
    const rssKb = Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1]);
    console.log(`endless feed: run --once exited ${code}, peak RSS ${Math.round(rssKb / 1024)} MB`);
    expect(rssKb).toBeGreaterThan(0);
    expect(rssKb).toBeLessThan(300 * 1024);
  }, 60_000);
});

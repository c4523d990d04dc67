// The exit codes of INTERFACE.md: 2 bad usage, 78 bad configuration (naming the key), and the wallet checks.
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'magma-cfg-')), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('exit codes', () => {
  it.each([
    ['an unknown key', { risk: { maxStake: 1 } }, 'risk.maxStake'],
    ['resolution.minConfidence 0.5', { resolution: { minConfidence: 0.5 } }, 'resolution.minConfidence'],
    ['a stake above 10 SOL', { risk: { maxStakeSol: 25 } }, 'risk.maxStakeSol'],
  ])('exits 78 on %s and names the key', async (_what, content, key) => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-run-'));
    const r = await runCli(['run', '--once', '--sim', '--dry-run', '--data-dir', dir, '--config', configFile(content)]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`"${key}"`);
    expect(r.stderr).toMatch(/configuration error/);
  });

  it('exits 78 when an environment variable is unsafe', async () => {
    const r = await runCli(['doctor'], { MAGMA_POLL_INTERVAL_S: '0.5' });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('MAGMA_POLL_INTERVAL_S');
  });

  it('exits 2 on bad usage', async () => {
    expect((await runCli(['run', '--no-such-flag'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['sim', '--scenario', 'nope'])).code).toBe(2);
  });

  it('exits 0 on --help for every command', async () => {
    for (const cmd of ['run', 'sim', 'register', 'keygen', 'doctor', 'demo']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: magma-agent ${cmd}`);
    }
  });

  it('keygen writes a 0600 keypair and never overwrites one', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'magma-key-')), 'wallet.json');
    const first = await runCli(['keygen', '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/public key: [1-9A-HJ-NP-Za-km-z]{32,44}/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const again = await runCli(['keygen', '--out', out]);
    expect(again.code).toBe(78); // WALLET_EXISTS is an operator's to fix: a retry cannot help
    expect(again.stderr).toContain('refusing to overwrite');
  });

  it('refuses a keypair other users can read (78) and a missing one (78, saying how to create it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-key-'));
    const wallet = join(dir, 'wallet.json');
    expect((await runCli(['keygen', '--out', wallet])).code).toBe(0);
    chmodSync(wallet, 0o644);
    const loose = await runCli(['run', '--once', '--dry-run', '--data-dir', dir], { MAGMA_KEYPAIR: wallet, MAGMA_API_URL: 'http://127.0.0.1:9' });
    expect(loose.code).toBe(78);
    expect(loose.stderr).toContain(`chmod 600 ${wallet}`);
    const missing = await runCli(['run', '--once', '--dry-run', '--data-dir', dir], { MAGMA_KEYPAIR: join(dir, 'none.json'), MAGMA_API_URL: 'http://127.0.0.1:9' });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toContain('magma-agent keygen --out');
  });

  it('exits 1 with what to do when the API cannot be reached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magma-run-'));
    const wallet = join(dir, 'wallet.json');
    await runCli(['keygen', '--out', wallet]);
    // port 9 (discard) on loopback: nothing listens, the connection is refused
    const r = await runCli(['run', '--once', '--dry-run', '--data-dir', dir], { MAGMA_KEYPAIR: wallet, MAGMA_API_URL: 'http://127.0.0.1:9', MAGMA_RPC_URL: 'http://127.0.0.1:9' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/POST \/v1\/agent\/register at http:\/\/127.0.0.1:9 failed: ECONNREFUSED. Check the URL/);
    expect(existsSync(join(dir, 'register-attempt.json'))).toBe(false); // refused before sending: safe to retry
  });
});

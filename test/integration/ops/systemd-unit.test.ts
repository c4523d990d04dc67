// docs/magma-agent.service: `systemd-analyze verify` is clean and `systemd-analyze security` rates its exposure at
// most 3.0. CI installs Debian's systemd when systemd-analyze is missing (.ci/run); elsewhere the test is skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';

function hasAnalyze(): boolean {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const available = hasAnalyze();
if (!available && process.env.CI) throw new Error('systemd-analyze is missing in CI: .ci/run installs Debian\'s systemd package');

/** The unit as shipped; only ExecStart's node path follows this machine when /usr/bin/node is absent. */
function unitCopy(): string {
  const text = readFileSync(join(ROOT, 'docs', 'magma-agent.service'), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'magma-unit-'));
  const path = join(dir, 'magma-agent.service');
  writeFileSync(path, existsSync('/usr/bin/node') ? text : text.replace('/usr/bin/node', process.execPath));
  return path;
}

describe.skipIf(!available)('the systemd unit', () => {
  it('passes systemd-analyze verify without a warning', () => {
    const r = spawnSync('systemd-analyze', ['verify', unitCopy()], { encoding: 'utf8' });
    expect(r.stderr.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('has a systemd-analyze security exposure of at most 3.0', () => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', unitCopy()], { encoding: 'utf8' });
    const m = /Overall exposure level for magma-agent\.service: (\d+\.\d)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(3.0);
  });

  it('is Type=notify with a watchdog, the state and config directories, and exit 78 not restarted', () => {
    const text = readFileSync(join(ROOT, 'docs', 'magma-agent.service'), 'utf8');
    for (const line of ['Type=notify', 'StateDirectory=magma-agent', 'ConfigurationDirectory=magma-agent', 'Group=magma', 'CapabilityBoundingSet=', 'SystemCallFilter=@system-service', 'RestartPreventExitStatus=78', 'StartLimitBurst=5']) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toMatch(/^WatchdogSec=\S+$/m);
    expect(text).not.toMatch(/^MemoryDenyWriteExecute=true/m); // Node's JIT
  });
});

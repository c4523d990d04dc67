// How docs/magma-agent.service starts the daemon, read from the unit itself: the V8 flags of ExecStart and the
// allocator settings of its Environment= lines. The bench's live child and `npm run soak` start with both (V8 and
// glibc fix them at start-up), so what they measure is the daemon as systemd runs it.
import { readFileSync } from 'node:fs';

const unit = readFileSync(new URL('../docs/magma-agent.service', import.meta.url), 'utf8');

/** The node flags of ExecStart (e.g. --max-semi-space-size=4). */
export const DAEMON_FLAGS = /^ExecStart=\S+((?: --[\w-]+(?:=\S+)?)*) /m.exec(unit)?.[1].trim().split(' ').filter(Boolean) ?? [];

/** The MALLOC_* assignments of its Environment= lines. */
export const DAEMON_ENV = Object.fromEntries(
  [...unit.matchAll(/^Environment=(.*)$/gm)].flatMap((m) => m[1].split(/\s+/)).filter((a) => a.startsWith('MALLOC_')).map((a) => a.split('=')),
);

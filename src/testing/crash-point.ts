// A test hook for crash tests: `crashPoint(name)` kills this process at once (SIGKILL: no cleanup, no finally
// blocks, no flushed buffers, exactly like a power cut) when MAGMA_CRASH_AT names that point. Placed where losing
// the process would be most dangerous (after an answer arrives, before it is stored; right after each journal state
// is committed), so tests can prove that a restart recovers. Without the variable it does nothing; never set it
// outside tests.
//   MAGMA_CRASH_AT=name        the first time `name` is reached
//   MAGMA_CRASH_AT=name#3      the third time
//   MAGMA_CRASH_AT=random:SEED[:MAXMS]  at a moment drawn from SEED within MAXMS (default 2000) of armRandomCrash()

const hits = new Map<string, number>();

export function crashPoint(name: string): void {
  const at = process.env.MAGMA_CRASH_AT;
  if (!at || at.startsWith('random:')) return;
  const [target, nth] = at.split('#');
  if (target !== name) return;
  const count = (hits.get(name) ?? 0) + 1;
  hits.set(name, count);
  if (count === Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
}

/** For MAGMA_CRASH_AT=random:SEED[:MAXMS]: arms a timer that kills the process at a seeded random moment. */
export function armRandomCrash(): void {
  const m = /^random:(\d+)(?::(\d+))?$/.exec(process.env.MAGMA_CRASH_AT ?? '');
  if (!m) return;
  const maxMs = Number(m[2] ?? 2000);
  // mulberry32 on the seed: the same seed gives the same moment.
  let t = (Number(m[1]) + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), Math.floor(r * maxMs)).unref();
}

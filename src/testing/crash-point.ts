// A test hook for crash tests: `crashPoint(name)` kills this process at once (SIGKILL: no cleanup, no finally
// blocks, no flushed buffers, exactly like a power cut) when MAGMA_CRASH_AT names that point. Placed where losing
// the process would be most dangerous (after an answer arrives, before it is stored), so tests can prove that a
// restart recovers. Without the variable it does nothing; never set it outside tests.

export function crashPoint(name: string): void {
  if (process.env.MAGMA_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The strategy SDK from its source (as tsconfig's paths does for tsc); the build resolves it by package self-reference.
    alias: { 'magma-agent/strategy': fileURLToPath(new URL('./src/sdk/strategy.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/loopback-only.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Both cores (vitest's default leaves one free): most files wait on child processes and servers, and the suite's
    // wall time fell from 526 s to 350 s here with the same results (three runs).
    maxWorkers: 2,
    reporters: ['default'],
  },
});

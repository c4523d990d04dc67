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
    reporters: ['default'],
  },
});

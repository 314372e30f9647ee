import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The Cosmos emulator test and the cross-process SQLite test start servers and child processes.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

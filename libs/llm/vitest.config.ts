import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Tests talk to a real HTTP server on 127.0.0.1; one Retry-After test waits a full second.
    testTimeout: 15_000,
  },
});

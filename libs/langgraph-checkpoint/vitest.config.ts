import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // @langchain/langgraph-checkpoint-validation registers its suites through the global describe/it/expect.
    globals: true,
    // The Cosmos run talks to an in-process emulator over HTTPS; the validation suite makes many round trips.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

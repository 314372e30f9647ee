import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Shared by every project: unit tests next to the code (src/**/*.test.ts), tests that start real
// processes in test/**/*.int.test.ts.
export default defineConfig({
  resolve: {
    // graphql 16 ships ESM (.mjs) and CJS builds; Apollo's packages require() the CJS one, so tests
    // must load that same instance or schemas from one fail instanceof checks in the other.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

// Two tiers, told apart by file name: *.unit.test.ts need no servers,
// *.int.test.ts talk to the real stack that `npm test` starts (stack/cli.mjs).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.unit.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The stack runs on 2 cores: integration files run one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});

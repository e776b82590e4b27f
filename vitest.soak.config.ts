import { defineConfig } from 'vitest/config';

/** `npm run test:soak`: the long memory soak, kept out of `npm test`. */
export default defineConfig({
  test: {
    include: ['src/**/*.soak.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});

import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'testkit/**/*.test.ts',
      'bench/**/*.test.ts',
      'web/tests/**/*.browser.test.ts',
    ],
    // The five-minute soak runs apart: `npm run test:soak` (vitest.soak.config.ts).
    exclude: [...configDefaults.exclude, '**/*.soak.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'out/**'],
    testTimeout: 60_000,
    // Scans are CPU-bound; two cores here.
    maxWorkers: 2,
  },
});

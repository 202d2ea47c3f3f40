// Mutation testing (`npm run mutation`): Stryker changes the code under test one mutant at a time and runs the
// unit project against each; a mutant no test fails ("survived") marks behaviour no test pins. It runs on the
// unit project only (vitest.unit.config.ts: no Java, no servers) and is not part of CI: it takes a long time
// on 2 cores. Narrow a run with `npm run mutation -- --mutate 'lib/resilience/breaker-run.ts'`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.unit.config.ts', related: true },
  mutate: [
    'lib/resilience/**/*.ts',
    'lib/cache/**/*.ts',
    'lib/keys/**/*.ts',
    'lib/quality/**/*.ts',
    'lib/validation/**/*.ts',
    'lib/observability/**/*.ts',
  ],
  coverageAnalysis: 'perTest',
  // Mutants in type-only code and module-level constants are not worth a run each.
  ignoreStatic: true,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  concurrency: 2,
  timeoutMS: 10_000,
};

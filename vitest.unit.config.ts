import { defineConfig } from 'vitest/config';
import { everyProject, unitProject } from './vitest.config.js';

/**
 * The unit project alone, as a config of its own: for tools that take a config file and run every project in
 * it (Stryker's vitest runner has no project filter, and must not start Java for each mutant).
 * `npm run test:unit` runs the same project through `vitest.config.ts`.
 */
export default defineConfig({ test: { ...everyProject, ...unitProject } });

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUNDLING } from '../../infra/constructs/bundling.js';
import { PROJECT_ROOT } from '../../infra/constructs/data-function.js';
import { ROUTES } from '../../infra/routes.js';
import { quantile } from './stats.js';

const COLD_STARTS = 7;

/**
 * Bundles every route's handler as CDK does (same esbuild options) and measures its size and its
 * cold init: importing the bundle in a fresh Node process, median of several.
 */
export async function measureBundles(): Promise<(string | number)[][]> {
  // Inside the project, so the bundle finds the AWS SDK in node_modules as it finds the runtime's on Lambda.
  const cache = join(PROJECT_ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'valor-ivx-bench-'));
  try {
    const rows: (string | number)[][] = [];
    for (const route of ROUTES) {
      const outfile = join(outdir, `${route.id}.mjs`);
      await build({
        entryPoints: [route.entry],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: LAMBDA_BUNDLING.target,
        minify: LAMBDA_BUNDLING.minify,
        sourcemap: LAMBDA_BUNDLING.sourceMap,
        sourcesContent: LAMBDA_BUNDLING.sourcesContent,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        banner: { js: LAMBDA_BUNDLING.banner },
        external: [...LAMBDA_BUNDLING.externalModules],
        logLevel: 'error',
      });
      const inits: number[] = [];
      for (let i = 0; i < COLD_STARTS; i++) inits.push(coldInitMs(outfile));
      rows.push([
        route.id,
        `${(statSync(outfile).size / 1024).toFixed(0)} KB`,
        `${quantile(inits, 0.5).toFixed(1)} ms`,
      ]);
    }
    return rows;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function coldInitMs(bundle: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(`file://${bundle}`)}); console.log(performance.now() - t);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, DATA_TABLE_NAME: 'bench', AWS_REGION: 'us-east-1' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`bundle failed to load: ${result.stderr}`);
  return Number(result.stdout.trim());
}

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import {
  externalModulesFor,
  LAMBDA_BUNDLING,
  SDK_SOURCE,
  type SdkSource,
} from '../../infra/constructs/bundling.js';
import { PROJECT_ROOT } from '../../infra/constructs/data-function.js';
import { FUNCTION_ENVIRONMENT } from '../../infra/function-settings.js';
import { ROUTES } from '../../lib/api/routes.js';
import { quantile } from './stats.js';

const COLD_STARTS = 7;

/**
 * Bundles every route's handler as CDK does (same esbuild options) both ways the AWS SDK can come to
 * a function, and measures each bundle's size and cold init (importing it in a fresh Node process
 * with the functions' `NODE_OPTIONS`, median of several): the SDK bundled (the locked version the
 * tests ran on) or left to the Lambda runtime's copy (here: the locked version, loaded unbundled
 * from node_modules as the runtime loads its own). The deployed choice (`SDK_SOURCE`) comes first;
 * the last row sums the routes.
 */
export async function measureBundles(): Promise<{ header: string[]; rows: (string | number)[][] }> {
  const sources: SdkSource[] = [SDK_SOURCE, SDK_SOURCE === 'bundled' ? 'runtime' : 'bundled'];
  // Inside the project, so an SDK left out is found in node_modules as the runtime's is found on Lambda.
  const cache = join(PROJECT_ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'valor-ivx-bench-'));
  try {
    const rows: (string | number)[][] = [];
    const totals = sources.map(() => ({ kb: 0, initMs: 0 }));
    for (const route of ROUTES) {
      const bundles = await Promise.all(
        sources.map(async (source) => {
          const file = join(outdir, `${route.id}-${source}.mjs`);
          await bundle(route.entry, file, source);
          return file;
        }),
      );
      // Alternated, so a busy moment of the machine weighs on both ways alike.
      const inits = bundles.map((): number[] => []);
      for (let i = 0; i < COLD_STARTS; i++)
        for (const [index, file] of bundles.entries()) inits[index]?.push(coldInitMs(file));
      const row: (string | number)[] = [route.id];
      for (const [index, file] of bundles.entries()) {
        const kb = statSync(file).size / 1024;
        const initMs = quantile(inits[index] ?? [], 0.5);
        row.push(`${kb.toFixed(0)} KB`, `${initMs.toFixed(1)} ms`);
        const total = totals[index];
        if (total) {
          total.kb += kb;
          total.initMs += initMs;
        }
      }
      rows.push(row);
    }
    rows.push([
      'all routes',
      ...totals.flatMap((t) => [`${t.kb.toFixed(0)} KB`, `${t.initMs.toFixed(0)} ms`]),
    ]);
    const header = ['function', ...sources.flatMap((s) => [`size, SDK ${s}`, `cold init, SDK ${s}`])];
    return { header, rows };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Bundles a handler as CDK does, with the AWS SDK from `source`. */
async function bundle(entry: string, outfile: string, source: SdkSource): Promise<void> {
  await build({
    entryPoints: [entry],
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
    external: externalModulesFor(source),
    logLevel: 'error',
  });
}

function coldInitMs(bundle: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(`file://${bundle}`)}); console.log(performance.now() - t);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      ...process.env,
      // As deployed: `--enable-source-maps` makes Node read each bundle's source map when it loads it.
      NODE_OPTIONS: FUNCTION_ENVIRONMENT.NODE_OPTIONS,
      DATA_TABLE_NAME: 'bench',
      AWS_REGION: 'us-east-1',
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`bundle failed to load: ${result.stderr}`);
  return Number(result.stdout.trim());
}

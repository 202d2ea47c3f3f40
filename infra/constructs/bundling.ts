import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * Where a function's AWS SDK comes from: `bundled` into its bundle (the version package-lock.json
 * pins, the one every test ran on), or left to the `runtime`'s own copy (whatever version Lambda
 * ships with `nodejs22.x` that day).
 */
export type SdkSource = 'bundled' | 'runtime';

/**
 * The deployed choice, measured: a faster cold init and the SDK version the tests ran on (docs/architecture.md,
 * "Node 22 everywhere, and the AWS SDK in the bundle").
 */
export const SDK_SOURCE: SdkSource = 'bundled';

/** What esbuild leaves out of a bundle for an SDK source. */
export function externalModulesFor(source: SdkSource): string[] {
  return source === 'runtime' ? ['@aws-sdk/*'] : [];
}

/**
 * How every handler is bundled, in one place: CDK's NodejsFunction uses it, and the benchmark
 * bundles with the same options so the sizes and cold starts it measures are the deployed ones.
 */
export const LAMBDA_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  // Stack traces need the mappings only; leaving the sources out keeps the bundle small.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // Some dependencies still call `require`; an ESM bundle has none unless it creates one.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  // Set explicitly either way: NodejsFunction leaves `@aws-sdk/*` out unless told otherwise.
  externalModules: externalModulesFor(SDK_SOURCE),
} as const;

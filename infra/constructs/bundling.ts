import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

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
  // The Node.js 22 runtime ships AWS SDK v3; leaving it out of the bundle roughly halves it
  // (TOOLCHAIN.md: 815 KB with the SDK, 475 KB without). Also NodejsFunction's default, made visible.
  externalModules: ['@aws-sdk/*'],
} as const;

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_FUNCTION_DEFAULTS } from '../../infra/constructs/data-function.js';

/**
 * The tests run on the Node.js the functions deploy on. `npm test` (and `npx vitest`) put
 * node_modules/.bin first on PATH, where the `node` devDependency installs its Node binary, so the
 * machine's own Node (20 on CI) does not matter; a run that bypasses npm fails here, not in Lambda.
 */
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  devDependencies: Record<string, string>;
  engines: { node: string };
};

describe('the Node.js the tests run on', () => {
  it('is the major version of the Lambda runtime the functions deploy on (nodejs22.x)', () => {
    const deployedMajor = /^nodejs(\d+)\.x$/.exec(DATA_FUNCTION_DEFAULTS.runtime.name)?.[1];
    expect(deployedMajor).toBe('22');
    expect(process.version.startsWith(`v${deployedMajor}.`)).toBe(true);
  });

  it('is the exact version package.json pins, and engines asks for that major', () => {
    expect(process.versions.node).toBe(packageJson.devDependencies.node);
    expect(packageJson.engines.node).toBe(`>=${process.versions.node.split('.')[0]}`);
  });
});

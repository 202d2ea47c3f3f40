import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layers of `lib/`, bottom first: a file imports only from its own layer or those below it.
 * A unit is a folder under `lib/` or a file at its top; a new one fails the first test until it is
 * placed here, so its layer is a decision, not an accident.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['model'],
  [
    'storage',
    'observability',
    'validation',
    'quality',
    'prices',
    'errors.ts',
    'env-reader.ts',
    'symbols.ts',
    'requests.ts',
  ],
  ['resilience', 'cache', 'keys', 'providers'],
  ['services', 'api'],
  ['config.ts', 'data-layer.ts'],
];

/** Generic mechanisms that must not learn their callers' policy, though they share a layer. */
const FORBIDDEN: readonly [from: string, to: string][] = [['resilience', 'providers']];

const LIB = resolve(dirname(fileURLToPath(import.meta.url)), '../../lib');

interface Import {
  file: string;
  /** As written in the import. */
  specifier: string;
  fromUnit: string;
  /** The imported path relative to `lib/`, or `null` for a package. */
  target: string | null;
  toUnit: string | null;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function unitOf(pathInLib: string): string {
  return pathInLib.split('/')[0] ?? pathInLib;
}

function layerOf(unit: string): number {
  return LAYERS.findIndex((layer) => layer.includes(unit));
}

/** Every import of every lib file: static, type-only, re-exports and dynamic `import()`. */
function libImports(): Import[] {
  return filesUnder(LIB)
    .filter((path) => path.endsWith('.ts'))
    .flatMap((path) => {
      const file = relative(LIB, path);
      const { importedFiles } = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
      return importedFiles.map(({ fileName }) => {
        const fromUnit = unitOf(file);
        if (!fileName.startsWith('.'))
          return { file, specifier: fileName, fromUnit, target: null, toUnit: null };
        const target = relative(LIB, resolve(dirname(path), fileName)).replace(/\.js$/, '.ts');
        return { file, specifier: fileName, fromUnit, target, toUnit: unitOf(target) };
      });
    });
}

const imports = libImports();
const local = imports.filter((entry): entry is Import & { target: string; toUnit: string } =>
  Boolean(entry.target),
);
const describeImport = (entry: Import) => `lib/${entry.file} imports lib/${entry.target}`;

describe('lib layers', () => {
  it('reads the imports of every lib file', () => {
    // A parser that found nothing would pass every rule below.
    expect(local.length).toBeGreaterThan(100);
    expect(local.map(describeImport)).toContain('lib/data-layer.ts imports lib/config.ts');
  });

  it('places every lib file in a layer', () => {
    const units = new Set(
      filesUnder(LIB)
        .filter((path) => path.endsWith('.ts'))
        .map((path) => unitOf(relative(LIB, path))),
    );
    expect([...units].filter((unit) => layerOf(unit) < 0)).toEqual([]);
  });

  it('imports nothing from outside lib but packages', () => {
    expect(local.filter((entry) => entry.target.startsWith('..')).map(describeImport)).toEqual([]);
  });

  it('imports nothing from a layer above', () => {
    const upward = local.filter((entry) => layerOf(entry.toUnit) > layerOf(entry.fromUnit));
    expect(upward.map(describeImport)).toEqual([]);
  });

  it('keeps lib/resilience free of imports from lib/providers', () => {
    const forbidden = local.filter((entry) =>
      FORBIDDEN.some(([from, to]) => entry.fromUnit === from && entry.toUnit === to),
    );
    expect(forbidden.map(describeImport)).toEqual([]);
  });

  it('has no two units of one layer importing each other', () => {
    const edges = new Set(
      local.filter((entry) => entry.fromUnit !== entry.toUnit).map((e) => `${e.fromUnit}>${e.toUnit}`),
    );
    const mutual = [...edges].filter((edge) => {
      const [from, to] = edge.split('>');
      return edges.has(`${to}>${from}`);
    });
    expect(mutual).toEqual([]);
  });

  it('keeps Lambda and Middy types out of lib', () => {
    const lambda = imports.filter((entry) => /^(aws-lambda|@middy\/)/.test(entry.specifier));
    expect(lambda.map((entry) => `lib/${entry.file} imports ${entry.specifier}`)).toEqual([]);
  });
});

const FUNCTIONS = resolve(LIB, '../functions');

/** Where each import of a handler file lands: a path relative to the project root, or a package. */
function functionImports(): { file: string; target: string }[] {
  const root = resolve(LIB, '..');
  return filesUnder(FUNCTIONS)
    .filter((path) => path.endsWith('.ts'))
    .flatMap((path) =>
      ts.preProcessFile(readFileSync(path, 'utf8'), true, true).importedFiles.map(({ fileName }) => ({
        file: relative(root, path),
        target: fileName.startsWith('.') ? relative(root, resolve(dirname(path), fileName)) : fileName,
      })),
    );
}

describe('functions layer', () => {
  const handlers = functionImports();

  it('reads the imports of every handler', () => {
    expect(handlers.map((entry) => entry.target)).toContain('lib/api/routes.js');
  });

  it('imports the domain and its own shared middleware, never the CDK app, the local stack or tests', () => {
    const outside = handlers.filter(({ target }) => /^(infra|test)\//.test(target));
    expect(outside.map(({ file, target }) => `${file} imports ${target}`)).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// One item codec per stored kind: only the file that owns a kind turns it into DynamoDB's attribute
// values and back (`marshall`/`unmarshall` and a zod schema, through lib/storage/item-attributes.ts).
// This test reads the source tree and fails when any other file builds an attribute value by hand
// (`{ S: … }`, `{ N: … }`, …), reads one (`item.sk?.S`, `.N`, …) or names the `AttributeValue` type.
const ROOT = join(import.meta.dirname, '..', '..', '..');
const SCANNED = ['lib', 'functions', 'infra'];

/** The files allowed to touch raw attribute values, each with the kind it owns. */
const OWNERS: Record<string, string> = {
  'lib/storage/item-attributes.ts': 'the one conversion: marshall, and unmarshall through a schema',
  'lib/storage/query-all.ts': 'pages of a Query, handed unread to the owner of the kind queried',
  'lib/cache/cache-items.ts': 'cache head and parts',
  'lib/cache/data-cache.ts': 'cache head and parts (the keys it sends)',
  'lib/cache/fill-lease-store.ts': 'fill lease',
  'lib/resilience/breaker-store.ts': 'breaker record',
  'lib/keys/key-states.ts': 'key state',
  'lib/keys/rate-limiter.ts': 'key usage',
  'lib/services/agreement-tally.ts': 'agreement tally',
  // Not a stored kind: the local proxy reads DynamoDB requests on the wire to delay reads (test harness).
  'infra/local/dynamodb-proxy/request-items.ts': 'DynamoDB requests on the wire (local proxy)',
};

/** DynamoDB's attribute value tags. */
const TAGS = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'L', 'M', 'SS', 'NS', 'BS']);

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))
    .map((path) => join(folder, path));
}

/** Text that may hold a raw attribute value: only such files are parsed (most of the tree is not). */
const CANDIDATE =
  /\b(?:S|N|B|BOOL|NULL|L|M|SS|NS|BS)\b\s*[:),;?}]|\.(?:S|N|B|BOOL|NULL|L|M|SS|NS|BS)\b|AttributeValue/;

/** Each raw attribute value a source text builds, reads or types, as `line: text`. */
function rawAttributeValues(fileName: string, text: string): string[] {
  if (!CANDIDATE.test(text)) return [];
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push(`${line + 1}: ${node.getText(source).split('\n')[0]}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && TAGS.has(node.name.text)) report(node);
    else if (
      ts.isObjectLiteralExpression(node) &&
      node.properties.length === 1 &&
      node.properties.some(
        (property) =>
          (ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property)) &&
          ts.isIdentifier(property.name) &&
          TAGS.has(property.name.text),
      )
    )
      report(node);
    else if (ts.isIdentifier(node) && node.text === 'AttributeValue') report(node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('raw DynamoDB attribute values', () => {
  it('appear only in the file that owns each stored kind', () => {
    const outside: Record<string, string[]> = {};
    for (const file of SCANNED.flatMap(sourceFiles)) {
      const path = relative(ROOT, join(ROOT, file)).split('\\').join('/');
      if (path in OWNERS) continue;
      const raw = rawAttributeValues(path, readFileSync(join(ROOT, path), 'utf8'));
      if (raw.length > 0) outside[path] = raw;
    }
    expect(outside).toEqual({});
  });

  it('are recognized when built, read or typed, and not in comments, strings or other names', () => {
    const text = [
      "const key = { pk: { S: 'quote#IBM' } };",
      'const count = { N: String(3) };',
      'const flag = { BOOL: true };',
      'const id = item.pk?.S;',
      'const n = Number(item.calls.N);',
      "import type { AttributeValue } from '@aws-sdk/client-dynamodb';",
      "// `BRK.B`, { S: 'x' } in a comment",
      "const ticker = 'BRK.B';",
      'const values = { ExpressionAttributeValues: {}, S: 1, N: 2 };',
      "import { type NativeAttributeValue } from '@aws-sdk/util-dynamodb';",
    ].join('\n');
    expect(rawAttributeValues('sample.ts', text).map((hit) => Number(hit.split(':')[0]))).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
  });

  it('lists only owners that exist', () => {
    const files = new Set(SCANNED.flatMap(sourceFiles).map((file) => file.split('\\').join('/')));
    expect(Object.keys(OWNERS).filter((owner) => !files.has(owner))).toEqual([]);
  });
});

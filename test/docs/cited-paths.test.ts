import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Folders of the project whose files may cite others; what tools generate is left out. */
const CITING_FOLDERS = ['lib', 'functions', 'infra', 'test', 'docs', '.ci'];
const GENERATED = new Set(['node_modules', 'cdk.out', 'coverage', 'reports', '.local']);

/** A path to a file of the project, as documents and comments cite one (imports end in `.js`). */
const CITED_PATH = /(?<![\w./-])((?:lib|functions|infra|test|docs|\.ci)\/[\w./-]+\.(?:ts|md|mjs|json))\b/g;

/** Paths a document cites as an example of a file a reader would add, not one the project has. */
const EXAMPLES = new Set(['lib/providers/acme/quote.ts']);

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    if (GENERATED.has(entry.name)) return [];
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return /\.(ts|md|mjs)$/.test(entry.name) || entry.name === 'run' ? [path] : [];
  });
}

const citingFiles = [
  join(ROOT, 'README.md'),
  ...CITING_FOLDERS.filter((folder) => existsSync(join(ROOT, folder))).flatMap((folder) =>
    filesUnder(join(ROOT, folder)),
  ),
].filter((file) => !file.includes(`${join('test', 'fixtures')}`));

describe('paths cited in documents and comments', () => {
  it('name files the project has (a moved or deleted file leaves no stale citation)', () => {
    const stale: string[] = [];
    for (const file of citingFiles) {
      for (const [, cited = ''] of readFileSync(file, 'utf8').matchAll(CITED_PATH)) {
        if (!EXAMPLES.has(cited) && !existsSync(join(ROOT, cited)))
          stale.push(`${relative(ROOT, file)}: ${cited}`);
      }
    }
    expect(stale).toEqual([]);
  });

  it('reads the README, the documents and the sources', () => {
    const read = citingFiles.map((file) => relative(ROOT, file));
    expect(read).toContain('README.md');
    expect(read).toContain(join('docs', 'architecture.md'));
    expect(read).toContain(join('infra', 'constructs', 'bundling.ts'));
  });
});

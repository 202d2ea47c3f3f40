import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { anchorsOf, brokenLinks, githubSlug, linksOf } from './markdown-links.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = join(ROOT, 'README.md');
const DOCS = join(ROOT, 'docs');
const documents = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .map((name) => join(DOCS, name));

describe('the README and docs/', () => {
  it('keeps the README a front page of at most 15 KB', () => {
    expect(statSync(README).size).toBeLessThanOrEqual(15 * 1024);
  });

  it('keeps the two quick-start commands CI runs', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toContain('npm ci && npm test');
  });

  it('has at least four documents in docs/, each linked from the README', () => {
    expect(documents.length).toBeGreaterThanOrEqual(4);
    const linked = new Set(linksOf(readFileSync(README, 'utf8')).map((link) => link.target.split('#')[0]));
    for (const document of documents) expect(linked).toContain(`docs/${document.slice(DOCS.length + 1)}`);
  });

  it.each([README, ...documents].map((file) => [file.slice(ROOT.length)]))(
    'resolves every link in %s',
    (file) => {
      expect(brokenLinks(join(ROOT, file))).toEqual([]);
    },
  );
});

describe('the link checker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docs-links-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("derives GitHub's anchors: lower case, punctuation dropped, spaces to -, repeats numbered", () => {
    expect(githubSlug('`meta` and quality')).toBe('meta-and-quality');
    expect(githubSlug('One provider call per key: cache fills')).toBe(
      'one-provider-call-per-key-cache-fills',
    );
    expect(githubSlug('When DynamoDB or Secrets Manager hangs')).toBe(
      'when-dynamodb-or-secrets-manager-hangs',
    );
    expect(githubSlug('`CACHE_TTL_<TYPE>` & [links](x.md)')).toBe('cache_ttl_type--links');
    expect([...anchorsOf('# Alarms\n## Notes\n### Notes\n## Notes\n<a id="old-name"></a>')]).toEqual([
      'alarms',
      'notes',
      'notes-1',
      'notes-2',
      'old-name',
    ]);
  });

  it('reports a missing file and a missing anchor, and ignores code and absolute URLs', () => {
    writeFileSync(join(dir, 'other.md'), '# Other\n\n## Present\n');
    const page = join(dir, 'page.md');
    writeFileSync(
      page,
      [
        '# Page',
        '[ok](other.md#present) [self](#page) [web](https://example.com/x#y)',
        '[gone](missing.md) [no anchor](other.md#absent)',
        '`[code](nowhere.md)`',
        '```sh',
        '# not a heading [nor](a-link.md)',
        '```',
        '[ref]: other.md#nope',
      ].join('\n'),
    );
    expect(brokenLinks(page)).toEqual([
      `${page}:3 missing.md`,
      `${page}:3 other.md#absent`,
      `${page}:8 other.md#nope`,
    ]);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A link of a markdown file, with the line it is on (1-based). */
export interface MarkdownLink {
  target: string;
  line: number;
}

const FENCE = /^\s*(```|~~~)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const INLINE_CODE = /`+[^`]*`+/g;
const INLINE_LINK = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/;
const HTML_ANCHOR = /<a\s+(?:[^>]*\s)?(?:id|name)="([^"]+)"/g;

/** The lines outside fenced code blocks, with their numbers: `# comment` in a shell block is no heading. */
function proseLines(markdown: string): Array<{ text: string; line: number }> {
  const lines: Array<{ text: string; line: number }> = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((text, index) => {
    const opener = FENCE.exec(text)?.[1];
    if (fence === null && opener !== undefined) {
      fence = opener;
    } else if (fence !== null && opener === fence) {
      fence = null;
    } else if (fence === null) {
      lines.push({ text, line: index + 1 });
    }
  });
  return lines;
}

/**
 * GitHub's anchor for a heading's text: the rendered text (code marks, emphasis and link targets
 * gone), lower-cased, every character but letters, digits, `_`, `-` and spaces dropped, spaces to `-`.
 */
export function githubSlug(heading: string): string {
  // Code spans keep their text (`<TYPE>` is text there); outside them, HTML tags go and links keep their text.
  const rendered = heading
    .replace(
      /(`+)([^`]*)\1|<[^>]+>|!?\[([^\]]*)\]\([^)]*\)/g,
      (_match, ticks?: string, code?: string, linkText?: string) => (ticks ? (code ?? '') : (linkText ?? '')),
    )
    .replace(/[`*]/g, '');
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a markdown document offers: its headings' slugs (repeats get -1, -2, …) and HTML ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    for (const match of text.matchAll(HTML_ANCHOR)) anchors.add(match[1] as string);
    const heading = HEADING.exec(text)?.[2];
    if (heading === undefined) continue;
    const slug = githubSlug(heading);
    const repeats = seen.get(slug) ?? 0;
    seen.set(slug, repeats + 1);
    anchors.add(repeats === 0 ? slug : `${slug}-${repeats}`);
  }
  return anchors;
}

/** The inline links and reference definitions of a markdown document, outside code. */
export function linksOf(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { text, line } of proseLines(markdown)) {
    const prose = text.replace(INLINE_CODE, '');
    for (const match of prose.matchAll(INLINE_LINK)) links.push({ target: match[1] as string, line });
    const definition = REFERENCE_DEFINITION.exec(prose)?.[1];
    if (definition !== undefined) links.push({ target: definition, line });
  }
  return links;
}

/**
 * The links of a markdown file that do not resolve: a relative file that does not exist, or an
 * `#anchor` its target markdown file does not have. Links with a scheme (`https:`, `mailto:`) are
 * not followed. Each is `file:line target`.
 */
export function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  for (const { target, line } of linksOf(readFileSync(file, 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [path = '', anchor] = target.split('#', 2);
    const targetFile = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    const resolves =
      existsSync(targetFile) &&
      (anchor === undefined ||
        (targetFile.endsWith('.md') &&
          anchorsOf(readFileSync(targetFile, 'utf8')).has(decodeURIComponent(anchor))));
    if (!resolves) broken.push(`${file}:${line} ${target}`);
  }
  return broken;
}

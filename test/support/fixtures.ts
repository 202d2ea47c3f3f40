import { readFileSync } from 'node:fs';

/** A real provider answer from `test/fixtures/providers/<provider>/<file>`, parsed. */
export function providerFixture(path: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/providers/${path}`, import.meta.url), 'utf8'));
}

/** An HTTP 200 answer carrying a body, as the upstream client hands it to a classifier. */
export function answerOf(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return { status, headers: new Headers(headers), body };
}

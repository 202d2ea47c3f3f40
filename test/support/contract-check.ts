import { afterEach, expect } from 'vitest';
import type { ApiContract } from './openapi-contract.js';

/**
 * Every end-to-end answer checked against the OpenAPI document, in every test file (a vitest setup
 * file): `fetch` is wrapped so that an answer of this API (a path under `/api/data/`, whoever serves
 * it: the local gateway in this process or a local stack in another) that does not match the
 * document fails the call at once, and the test at its end even if the failure was caught. Tests
 * need no change to be covered; the document cannot drift from what the handlers answer.
 */
const realFetch = globalThis.fetch;
const violations: string[] = [];
let contract: Promise<ApiContract> | undefined;

/** An answer that does not match the document. */
export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/** The violations seen since the last call, which clears them (for the test that provokes one). */
export function takeContractViolations(): string[] {
  return violations.splice(0);
}

globalThis.fetch = async (input, init) => {
  const response = await realFetch(input, init);
  const request = input instanceof Request ? input : undefined;
  const url = new URL(request?.url ?? String(input));
  if (!url.pathname.startsWith('/api/data/')) return response;
  // Loaded on the first answer of the API only: most test files never see one.
  contract ??= import('./openapi-contract.js').then(({ ApiContract }) => ApiContract.ofThisApi());
  const found = (await contract).check({
    method: (init?.method ?? request?.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    status: response.status,
    headers: response.headers,
    body: await response.clone().text(),
  });
  if (found.length === 0) return response;
  violations.push(...found);
  throw new ContractViolation(`the answer does not match the OpenAPI document:\n${found.join('\n')}`);
};

afterEach(() => {
  expect(takeContractViolations(), 'answers that do not match the OpenAPI document').toEqual([]);
});

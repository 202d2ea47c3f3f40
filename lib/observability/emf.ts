import type { MetricUnit } from '@aws-lambda-powertools/metrics';

/** A CloudWatch unit, named as the EMF specification (and Powertools) names it. */
export type EmfUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** One value of one metric as code records it, with the dimensions that metric belongs to. */
export interface MetricObservation {
  readonly name: string;
  readonly unit: EmfUnit;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** What every document of one flush shares. */
export interface EmfContext {
  readonly namespace: string;
  /** Dimensions every metric carries (Powertools' `service`); they come first in each dimension set. */
  readonly defaultDimensions: Readonly<Record<string, string>>;
  /** Epoch milliseconds. */
  readonly timestamp: number;
}

/** One metric directive: metrics reported against exactly one dimension set. */
export interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit: EmfUnit }[];
}

/** An EMF document: `_aws` metadata, then dimension values and metric values at the root. */
export type EmfDocument = {
  _aws: { Timestamp: number; CloudWatchMetrics: EmfDirective[] };
} & { [member: string]: unknown };

/** The EMF specification's limits on one document. */
export const EMF_LIMITS = {
  metricsPerDirective: 100,
  dimensionsPerSet: 30,
  valuesPerMetric: 100,
  metricNameLength: 255,
} as const;

/** One metric under one set of dimension values, with every value recorded for it. */
interface Series {
  name: string;
  unit: EmfUnit;
  dimensions: Record<string, string>;
  /** The sorted dimension keys: series with the same share a directive. */
  signature: string;
  values: number[];
}

/** A document being filled, and its directives by dimension-key signature. */
interface Draft {
  document: EmfDocument;
  directives: Map<string, EmfDirective>;
}

/**
 * Turns the metric observations of one request into the fewest EMF documents that carry them, each
 * metric reported against its own dimension set only (every extra set would be a billed metric).
 *
 * - Observations of one metric under the same dimension values are one series: counts are summed,
 *   other units kept as a value array (at most 100 values each; a longer series is split).
 * - Series with different dimension keys share a document through one directive per key set.
 * - Dimension values and metric values live at the document's root, so two series that need one
 *   member to hold two values (provider=alpha-vantage, then provider=fmp) go to separate documents.
 *
 * Throws a RangeError on what CloudWatch would reject: more than 30 dimensions, an empty dimension,
 * a metric name outside 1..255 characters, or a value that is not a finite number.
 */
export function emfDocuments(observations: readonly MetricObservation[], context: EmfContext): EmfDocument[] {
  const drafts: Draft[] = [];
  for (const series of seriesOf(observations, context.defaultDimensions)) {
    let draft = drafts.find((candidate) => fits(candidate, series));
    if (draft === undefined) {
      draft = {
        document: { _aws: { Timestamp: context.timestamp, CloudWatchMetrics: [] } },
        directives: new Map(),
      };
      drafts.push(draft);
    }
    const { document, directives } = draft;
    Object.assign(document, series.dimensions);
    document[series.name] = series.values.length === 1 ? series.values[0] : series.values;
    let directive = directives.get(series.signature);
    if (directive === undefined) {
      directive = { Namespace: context.namespace, Dimensions: [Object.keys(series.dimensions)], Metrics: [] };
      directives.set(series.signature, directive);
      document._aws.CloudWatchMetrics.push(directive);
    }
    directive.Metrics.push({ Name: series.name, Unit: series.unit });
  }
  return drafts.map((draft) => draft.document);
}

/** Groups observations into series, in the order each series was first seen. */
function seriesOf(observations: readonly MetricObservation[], defaults: Readonly<Record<string, string>>) {
  const series = new Map<string, Series>();
  for (const { name, unit, value, dimensions: own } of observations) {
    const dimensions = { ...defaults, ...own };
    check(name, value, dimensions);
    const keys = Object.keys(dimensions).sort();
    const signature = keys.join('\u0000');
    let key = `${name}\u0000${unit}`;
    for (const dimension of keys) key += `\u0000${dimension}\u0000${dimensions[dimension]}`;
    const known = series.get(key);
    if (known === undefined) series.set(key, { name, unit, dimensions, signature, values: [value] });
    else if (unit === 'Count') known.values[0] = (known.values[0] as number) + value;
    else known.values.push(value);
  }
  const all: Series[] = [];
  for (const whole of series.values()) {
    for (let start = 0; start < whole.values.length; start += EMF_LIMITS.valuesPerMetric)
      all.push({ ...whole, values: whole.values.slice(start, start + EMF_LIMITS.valuesPerMetric) });
  }
  return all;
}

/** Whether a series can join a document without changing a member another series reads. */
function fits({ document, directives }: Draft, series: Series): boolean {
  if (Object.hasOwn(document, series.name)) return false;
  for (const key in series.dimensions) {
    if (Object.hasOwn(document, key) && document[key] !== series.dimensions[key]) return false;
  }
  const directive = directives.get(series.signature);
  return directive === undefined || directive.Metrics.length < EMF_LIMITS.metricsPerDirective;
}

function check(name: string, value: number, dimensions: Record<string, string>): void {
  if (name.length < 1 || name.length > EMF_LIMITS.metricNameLength)
    throw new RangeError(`metric name "${name}" must be 1 to ${EMF_LIMITS.metricNameLength} characters`);
  if (!Number.isFinite(value)) throw new RangeError(`metric ${name} has a value that is not a finite number`);
  const keys = Object.keys(dimensions);
  if (keys.length > EMF_LIMITS.dimensionsPerSet)
    throw new RangeError(
      `metric ${name} has ${keys.length} dimensions; EMF allows ${EMF_LIMITS.dimensionsPerSet}`,
    );
  if (keys.some((key) => key.length === 0 || dimensions[key] === '' || key === name))
    throw new RangeError(`metric ${name} has an empty dimension, or one named as the metric`);
}

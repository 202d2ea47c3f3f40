/**
 * What CloudWatch extracts from EMF documents, following the specification
 * (CloudWatch_Embedded_Metric_Format_Specification): for each directive in
 * `_aws.CloudWatchMetrics`, each dimension set in its `Dimensions`, and each metric in its
 * `Metrics`, one metric whose dimension values and value(s) are the document's root members.
 * Throws where CloudWatch would reject the document, so a test cannot pass on a malformed one.
 */
export interface ExtractedMetric {
  namespace: string;
  name: string;
  unit: string | undefined;
  dimensions: Record<string, string>;
  values: number[];
}

const LIMITS = { dimensionsPerSet: 30, metricsPerDirective: 100, valuesPerMetric: 100 };

/** EMF documents among log lines: JSON objects with an `_aws` member. */
export function emfDocumentsIn(lines: readonly string[]): Record<string, unknown>[] {
  return lines
    .filter((line) => line.startsWith('{') && line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export function extractMetrics(documents: readonly Record<string, unknown>[]): ExtractedMetric[] {
  return documents.flatMap((document) => {
    const aws = document._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
    if (typeof aws?.Timestamp !== 'number') throw new Error('_aws.Timestamp must be a number');
    if (!Array.isArray(aws.CloudWatchMetrics)) throw new Error('_aws.CloudWatchMetrics must be an array');
    return (aws.CloudWatchMetrics as Record<string, unknown>[]).flatMap((directive) => {
      const { Namespace, Dimensions, Metrics } = directive as {
        Namespace: unknown;
        Dimensions: unknown;
        Metrics: unknown;
      };
      if (typeof Namespace !== 'string' || Namespace.length === 0)
        throw new Error('Namespace must be a string');
      if (!Array.isArray(Dimensions) || !Array.isArray(Metrics))
        throw new Error('Dimensions, Metrics: arrays');
      if (Metrics.length > LIMITS.metricsPerDirective)
        throw new Error('more than 100 metrics in a directive');
      return (Dimensions as string[][]).flatMap((set) => {
        if (set.length > LIMITS.dimensionsPerSet) throw new Error('more than 30 dimensions in a set');
        const dimensions = Object.fromEntries(
          set.map((key) => {
            const value = document[key];
            if (typeof value !== 'string') throw new Error(`dimension ${key} is not a string member`);
            return [key, value];
          }),
        );
        return (Metrics as { Name: string; Unit?: string }[]).map(({ Name, Unit }) => {
          const raw = document[Name];
          const values = Array.isArray(raw) ? raw : [raw];
          if (values.length > LIMITS.valuesPerMetric) throw new Error(`${Name} has more than 100 values`);
          if (!values.every((v) => typeof v === 'number')) throw new Error(`${Name} is not a number member`);
          return { namespace: Namespace, name: Name, unit: Unit, dimensions, values: values as number[] };
        });
      });
    });
  });
}

/**
 * The statistics a dashboard reads, per metric and dimension values: the sum of a count (one
 * datapoint of 2 and two of 1 chart alike), every value of anything else (sorted).
 */
export function cloudWatchView(metrics: readonly ExtractedMetric[]): Record<string, number | number[]> {
  const view: Record<string, number | number[]> = {};
  for (const metric of metrics) {
    const dimensions = Object.entries(metric.dimensions).sort(([a], [b]) => a.localeCompare(b));
    const key = JSON.stringify([metric.namespace, metric.name, metric.unit, dimensions]);
    if (metric.unit === 'Count') {
      view[key] = ((view[key] as number | undefined) ?? 0) + metric.values.reduce((sum, v) => sum + v, 0);
    } else {
      view[key] = [...((view[key] as number[] | undefined) ?? []), ...metric.values].sort((a, b) => a - b);
    }
  }
  return view;
}

/**
 * The total CloudWatch would count for a metric among log lines (values summed across documents,
 * as a request's document sums its own), optionally only under the given dimension values.
 */
export function metricTotal(
  lines: readonly string[],
  name: string,
  where: Record<string, string> = {},
): number {
  return extractMetrics(emfDocumentsIn(lines))
    .filter(
      (m) => m.name === name && Object.entries(where).every(([key, value]) => m.dimensions[key] === value),
    )
    .reduce((sum, m) => sum + m.values.reduce((a, b) => a + b, 0), 0);
}

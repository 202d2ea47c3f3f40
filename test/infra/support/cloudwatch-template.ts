import type { Template } from 'aws-cdk-lib/assertions';

/**
 * Reading CloudWatch resources out of synthesized templates: the metrics alarms and dashboard
 * widgets watch, and the dashboard body as JSON. Tokens (`Ref`, `Fn::GetAtt`) inside strings are
 * replaced by a readable placeholder, `«Ref:Logical»`, so the JSON parses.
 */

/** A resource's `Properties` as the assertions library types them (loosely: templates are data). */
export type Properties = ReturnType<Template['findResources']>[string][string];

/** A metric named in an alarm or a widget: namespace, name and dimensions; or a query expression. */
export type WatchedMetric =
  | { kind: 'metric'; namespace: string; name: string; dimensions: Record<string, string> }
  | { kind: 'expression'; expression: string };

/** A CloudFormation value as text: strings as they are, intrinsic functions as `«…»` placeholders. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && 'Fn::Join' in value) {
    const [separator, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.map(flatten).join(separator);
  }
  return `«${JSON.stringify(value).replace(/["{}[\]]/g, '')}»`;
}

/** Every resource of one type, by logical id. */
export function resourcesOf(template: Template, type: string): [string, Properties][] {
  return Object.entries(template.findResources(type)).map(([id, resource]) => [id, resource.Properties]);
}

/** The metrics one alarm watches (a single metric, or each entry of a math alarm). */
export function alarmMetrics(props: Properties): WatchedMetric[] {
  if (props.MetricName !== undefined) {
    return [
      {
        kind: 'metric',
        namespace: props.Namespace,
        name: props.MetricName,
        dimensions: dimensionsOf(props.Dimensions),
      },
    ];
  }
  return (props.Metrics as Properties[]).map((query) =>
    query.Expression !== undefined
      ? { kind: 'expression', expression: flatten(query.Expression) }
      : {
          kind: 'metric',
          namespace: query.MetricStat.Metric.Namespace,
          name: query.MetricStat.Metric.MetricName,
          dimensions: dimensionsOf(query.MetricStat.Metric.Dimensions),
        },
  );
}

function dimensionsOf(dimensions: { Name: string; Value: unknown }[] | undefined): Record<string, string> {
  return Object.fromEntries((dimensions ?? []).map((d) => [d.Name, flatten(d.Value)]));
}

/** A dashboard widget as CloudWatch stores it. */
export interface DashboardWidget {
  type: 'metric' | 'text' | 'alarm' | 'log';
  properties: {
    title?: string;
    markdown?: string;
    metrics?: unknown[][];
    alarms?: string[];
    query?: string;
    [key: string]: unknown;
  };
}

/** The one dashboard's widgets. */
export function dashboardWidgets(template: Template): DashboardWidget[] {
  const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
  if (dashboards.length !== 1) throw new Error(`expected one dashboard, found ${dashboards.length}`);
  const [, props] = dashboards[0] as [string, Properties];
  return (JSON.parse(flatten(props.DashboardBody)) as { widgets: DashboardWidget[] }).widgets;
}

/** The metrics of a graph widget: `[namespace, name, dim, value, …, options]` or `[{ expression }]`. */
export function widgetMetrics(widget: DashboardWidget): WatchedMetric[] {
  return (widget.properties.metrics ?? []).map((row) => {
    const first = row[0];
    if (typeof first !== 'string') {
      return { kind: 'expression', expression: String((first as { expression: string }).expression) };
    }
    const strings = row.filter((cell): cell is string => typeof cell === 'string');
    const [namespace, name, ...pairs] = strings;
    const dimensions: Record<string, string> = {};
    for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
    return { kind: 'metric', namespace: namespace as string, name: name as string, dimensions };
  });
}

/** The label a graph gives one of its rows (the options object last in the row). */
export function rowLabel(row: unknown[]): string | undefined {
  const options = row[row.length - 1];
  return typeof options === 'object' && options !== null ? (options as { label?: string }).label : undefined;
}

/** Everything written to stdout while it is active (EMF metric lines and structured logs), kept off the console. */
export function captureStdout(): { lines: () => string[]; restore: () => void } {
  const original = process.stdout.write.bind(process.stdout);
  const chunks: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.length > 0),
    restore: () => {
      process.stdout.write = original;
    },
  };
}

/** EMF records among captured lines: each metric name with its dimensions and value. */
export function emfMetrics(
  lines: string[],
): { name: string; value: unknown; dimensions: Record<string, unknown> }[] {
  return lines.flatMap((line) => {
    if (!line.startsWith('{') || !line.includes('"_aws"')) return [];
    const record = JSON.parse(line) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
    };
    return record._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map(({ Name }) => ({
        name: Name,
        value: record[Name],
        dimensions: Object.fromEntries((directive.Dimensions[0] ?? []).map((d) => [d, record[d]])),
      })),
    );
  });
}

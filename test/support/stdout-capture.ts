type Capture = { lines: () => string[]; restore: () => void };

/** Everything written to one stream while it is active, kept off the console. */
function capture(stream: NodeJS.WriteStream): Capture {
  const original = stream.write.bind(stream);
  const chunks: string[] = [];
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    callback?.();
    return true;
  }) as typeof stream.write;
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.length > 0),
    restore: () => {
      stream.write = original;
    },
  };
}

/** Everything written to stdout while it is active: EMF metric lines and info/debug logs. */
export function captureStdout(): Capture {
  return capture(process.stdout);
}

/**
 * Both streams: Powertools writes warnings and errors to stderr, and those are the log lines most
 * likely to carry what must never leak. For scans of everything a run printed.
 */
export function captureOutput(): Capture {
  const out = capture(process.stdout);
  const err = capture(process.stderr);
  return {
    lines: () => [...out.lines(), ...err.lines()],
    restore: () => {
      out.restore();
      err.restore();
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

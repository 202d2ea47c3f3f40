import { type EmfContext, emfDocuments, type MetricObservation } from './emf.js';

/** Where EMF documents go: one JSON document per line. CloudWatch Logs reads them from stdout on Lambda. */
export type EmfSink = (lines: string) => void;

/** Writes to stdout directly: the Lambda runtime's console would prefix each line and break the JSON. */
export const stdoutSink: EmfSink = (lines) => {
  process.stdout.write(lines);
};

/**
 * Keeps a request's metric observations until its end, then writes them as the fewest EMF documents
 * ({@link emfDocuments}). Outside a request (a script, a test driving the layer directly, work after
 * the answer) each observation is written at once, so none waits for a flush that may never come.
 *
 * One buffer serves a container: Lambda runs one invocation at a time in it. Where requests overlap
 * in one process (the local gateway), a flush writes whatever the buffer holds: every observation is
 * still written exactly once, only the grouping into documents differs.
 */
export class EmfBuffer {
  private observations: MetricObservation[] = [];
  private openRequests = 0;

  constructor(
    private readonly context: Omit<EmfContext, 'timestamp'>,
    private readonly sink: EmfSink = stdoutSink,
    /** CloudWatch dates a metric by its document: wall time, never the layer's (possibly fake) clock. */
    private readonly now: () => number = Date.now,
  ) {}

  record(observation: MetricObservation): void {
    if (this.openRequests > 0) this.observations.push(observation);
    else this.write([observation]);
  }

  /** A request began: keep its observations until {@link flush}. */
  open(): void {
    this.openRequests++;
  }

  /** The request ended, answered or failed: write what it recorded. Safe to call without {@link open}. */
  flush(): void {
    this.openRequests = Math.max(0, this.openRequests - 1);
    const batch = this.observations;
    if (batch.length === 0) return;
    this.observations = [];
    this.write(batch);
  }

  private write(batch: MetricObservation[]): void {
    const documents = emfDocuments(batch, { ...this.context, timestamp: this.now() });
    this.sink(documents.map((document) => `${JSON.stringify(document)}\n`).join(''));
  }
}

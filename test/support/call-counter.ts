let counters = 0;

/**
 * Counts the commands a real SDK client sends, by name, through its own middleware stack. Each call
 * adds a counter of its own, so several can count the same client (the benchmark's sections).
 */
export function countCommands(client: {
  middlewareStack: { add: (middleware: never, options: { step: 'initialize'; name: string }) => void };
}): Record<string, number> {
  const counts: Record<string, number> = {};
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: unknown) => {
      const name = context.commandName ?? 'unknown';
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    };
  client.middlewareStack.add(middleware as never, {
    step: 'initialize',
    name: `countCommands${++counters}`,
  });
  return counts;
}

/**
 * Counts the writes (`PutItem`, `UpdateItem`, `DeleteItem`) a real SDK client sends to items of one
 * partition, e.g. the breakers' (`BREAKER_PARTITION`), whatever else the client writes.
 */
export function countWritesToPartition(
  client: Parameters<typeof countCommands>[0],
  partition: string,
): { writes: number } {
  const counted = { writes: 0 };
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: { input?: { Key?: PartitionKey; Item?: PartitionKey } }) => {
      const write = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand'].includes(
        context.commandName ?? '',
      );
      const key = args.input?.Key ?? args.input?.Item;
      if (write && key?.pk?.S === partition) counted.writes++;
      return next(args);
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: `countWrites-${partition}` });
  return counted;
}

type PartitionKey = { pk?: { S?: string } };

/**
 * How many eventually consistent `GetItem`s of an item whose key names `text` a real SDK client has
 * finished (answered or failed): the first cache read each request makes of a key (the fill lease is
 * read consistently). Counted once the call returns, so a test that sees `n` knows `n` requests hold
 * their read's answer, and are past their last I/O before they look for a fill to join.
 */
export function finishedCacheReads(client: Parameters<typeof countCommands>[0], text: string): () => number {
  let finished = 0;
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: { input?: { Key?: unknown; ConsistentRead?: boolean } }) => {
      const counted =
        context.commandName === 'GetItemCommand' &&
        args.input?.ConsistentRead !== true &&
        JSON.stringify(args.input?.Key ?? {}).includes(text);
      try {
        return await next(args);
      } finally {
        if (counted) finished++;
      }
    };
  client.middlewareStack.add(middleware as never, {
    step: 'initialize',
    name: `finishedCacheReads${++counters}`,
  });
  return () => finished;
}

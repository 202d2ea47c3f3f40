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

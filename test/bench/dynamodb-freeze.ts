import type { DynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { LocalStack } from '../../infra/local/local-stack.js';
import { countCommands } from '../support/call-counter.js';
import { quoteInvoker } from './invoke.js';
import { quantile } from './stats.js';

const RATE_PER_SECOND = 5;
const FREEZE_SECONDS = 20;
const BASELINE_REQUESTS = 50;

/**
 * Quote requests (each a cache miss, so a provider answers every one) at a steady 5 a second, one at a
 * time as a Lambda container takes them: first with DynamoDB healthy, then for 20 s with DynamoDB
 * Local's process stopped (SIGSTOP: connections accepted, nothing answered), then thawed until the
 * container uses DynamoDB again (its guard's probe was answered). Latency in ms; DynamoDB calls sent
 * during the freeze.
 */
export async function measureDynamoDbFreeze(stack: LocalStack, dynamodb: DynamoDbLocal) {
  const invoke = await quoteInvoker(stack.clientApiKey);
  const { clients, healthDeps } = await import('../../functions/shared/container.js');
  const calls = countCommands(clients.dynamodb);
  let n = 0;
  const paced = async (count: number, symbol: () => string) => {
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const result = await invoke(symbol());
      const ms = performance.now() - started;
      if (result.statusCode !== 200) throw new Error(`quote answered ${result.statusCode}: ${result.body}`);
      samples.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 / RATE_PER_SECOND - ms)));
    }
    return samples;
  };

  const healthy = await paced(BASELINE_REQUESTS, () => `FRZBASE${n++}`);
  dynamodb.freeze();
  let frozen: number[];
  let sentDuringFreeze: string;
  try {
    const before = { ...calls };
    frozen = await paced(FREEZE_SECONDS * RATE_PER_SECOND, () => `FRZ${n++}`);
    const byCommand = Object.entries(calls)
      .map(([name, count]) => [name.replace('Command', ''), count - (before[name] ?? 0)] as const)
      .filter(([, count]) => count > 0);
    const total = byCommand.reduce((sum, [, count]) => sum + count, 0);
    sentDuringFreeze = `${total} (${byCommand.map(([name, count]) => `${name} ${count}`).join(', ')})`;
  } finally {
    dynamodb.thaw();
  }
  const backoffs = healthDeps.guards.dynamodb.status();

  // Thawed: requests go on at the same pace (new symbols: a seen one may come from the container's
  // memory) until the guard's next probe finds DynamoDB answering and the cache is in use again.
  const thawedAt = performance.now();
  let cachingAgain = false;
  while (!cachingAgain && performance.now() - thawedAt < 60_000) {
    await paced(1, () => `FRZAFTER${n++}`);
    cachingAgain = healthDeps.guards.dynamodb.status().state === 'healthy';
  }

  const row = (label: string, samples: number[]) => [
    label,
    quantile(samples, 0.5).toFixed(1),
    quantile(samples, 0.99).toFixed(1),
    Math.max(...samples).toFixed(1),
  ];
  return {
    latency: [
      row('DynamoDB healthy (miss)', healthy),
      row(`DynamoDB frozen ${FREEZE_SECONDS} s (miss)`, frozen),
    ],
    facts: [
      ['p99 frozen − p99 healthy', `${(quantile(frozen, 0.99) - quantile(healthy, 0.99)).toFixed(0)} ms`],
      ['requests during the freeze', String(frozen.length)],
      ['DynamoDB calls sent during the freeze', sentDuringFreeze],
      ['requests over 500 ms during the freeze', String(frozen.filter((ms) => ms > 500).length)],
      ['back-off at the thaw', `${backoffs.state}, ${backoffs.backoffSeconds ?? 0} s`],
      [
        'thaw → DynamoDB in use again',
        cachingAgain ? `${((performance.now() - thawedAt) / 1000).toFixed(1)} s` : 'not within 60 s',
      ],
    ],
  };
}

import type { LocalStack } from '../../infra/local/local-stack.js';
import { SANDBOX_PROVIDER_IDS, type SandboxKnobsPatch } from '../../infra/local/sandbox/knobs.js';
import { BREAKER_PARTITION } from '../../lib/resilience/breaker-store.js';
import { countWritesToPartition } from '../support/call-counter.js';
import { quoteInvoker } from './invoke.js';

const REQUESTS = Number(process.env.BENCH_BREAKER_REQUESTS ?? 3000);
const ERROR_RATE = 0.01;

/**
 * Breaker writes per request with every provider answering 1 % of its calls with a 500 (the
 * sandbox's seeded `errorRate`): quote requests through the real handler, each a cache miss, so
 * each one calls a provider. The goal is ≤ 0.02 breaker writes per request.
 */
export async function measureBreakerWrites(stack: LocalStack) {
  const invoke = await quoteInvoker(stack.clientApiKey);
  const { clients } = await import('../../functions/shared/container.js');
  const breakerWrites = countWritesToPartition(clients.dynamodb, BREAKER_PARTITION);
  const everyProvider = (errorRate: number) =>
    Object.fromEntries(SANDBOX_PROVIDER_IDS.map((id) => [id, { errorRate }])) as SandboxKnobsPatch;

  stack.sandbox.setKnobs(everyProvider(ERROR_RATE));
  const before = breakerWrites.writes;
  let calls = 0;
  let failedCalls = 0;
  try {
    for (let i = 0; i < REQUESTS; i++) {
      const result = await invoke(`BW${i}`);
      if (result.statusCode !== 200) throw new Error(`quote answered ${result.statusCode}: ${result.body}`);
      const { meta } = JSON.parse(result.body) as {
        meta: { attempts: { outcome: string; calls: number }[] };
      };
      for (const attempt of meta.attempts) {
        calls += attempt.calls;
        failedCalls += attempt.calls - (attempt.outcome === 'ok' ? 1 : 0);
      }
    }
  } finally {
    stack.sandbox.setKnobs(everyProvider(0));
  }
  const writes = breakerWrites.writes - before;
  return [
    ['requests (cache misses)', String(REQUESTS)],
    ['provider calls', String(calls)],
    ['failed provider calls', `${failedCalls} (${((100 * failedCalls) / calls).toFixed(2)} %)`],
    ['breaker writes', String(writes)],
    ['breaker writes per request', (writes / REQUESTS).toFixed(4)],
    ['breaker writes per failed call', failedCalls === 0 ? '-' : (writes / failedCalls).toFixed(2)],
  ];
}

import type { LocalStack } from '../../infra/local/local-stack.js';
import { quoteInvoker } from './invoke.js';

const RATE_PER_SECOND = 5;

/**
 * An Alpha Vantage outage at a steady 5 requests a second, in real time: seconds from the outage's
 * start to its breaker opening, and from the provider's recovery to the breaker closing.
 */
export async function measureOutage(stack: LocalStack, recoveryTimeoutSeconds: number) {
  const invoke = await quoteInvoker(stack.clientApiKey);
  const { breakerOperator } = await import('../../functions/shared/container.js');
  const state = async () => (await breakerOperator.describeAll(['alpha-vantage']))[0]?.state;
  let n = 0;
  const steadyUntil = async (target: string, limitMs: number) => {
    const started = Date.now();
    while ((await state()) !== target) {
      if (Date.now() - started > limitMs) throw new Error(`breaker not ${target} after ${limitMs} ms`);
      const tick = Date.now();
      await invoke(`OUTAGE${n++}`);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, 1000 / RATE_PER_SECOND - (Date.now() - tick))),
      );
    }
    return (Date.now() - started) / 1000;
  };

  stack.sandbox.setKnobs({ 'alpha-vantage': { mode: 'down' } });
  const toOpen = await steadyUntil('OPEN', 30_000);
  stack.sandbox.setKnobs({ 'alpha-vantage': { mode: 'healthy' } });
  const toClose = await steadyUntil('CLOSED', (recoveryTimeoutSeconds + 30) * 1000);
  return [
    ['outage start → breaker OPEN', `${toOpen.toFixed(1)} s`],
    ['recovery → breaker CLOSED', `${toClose.toFixed(1)} s (recovery timeout ${recoveryTimeoutSeconds} s)`],
  ];
}

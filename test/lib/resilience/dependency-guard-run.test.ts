import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DomainLogger } from '../../../lib/observability/logger.js';
import type { DataLayerMetrics } from '../../../lib/observability/metrics.js';
import {
  DependencyGuard,
  DependencyUnavailableError,
  guardClient,
  isUnreachable,
} from '../../../lib/resilience/dependency-guard.js';
import { runUntil } from '../../../lib/resilience/request-end.js';
import { FakeClock } from '../../support/data-layer.js';
import { type ScriptedAnswer, scriptedDynamoDbClient } from '../../support/scripted-dynamodb.js';

// The guard's rules around one call, in process: the calls are functions that answer, fail or never
// settle, and the SDK client's HTTP handler answers in memory (the SDK's `requestHandler` option), so
// the real middleware stack (retries, deserializer, the guard's answer hook) runs without a socket.
// Budgets run on vitest's fake timers; the back-off on a fake clock. Real hung and refused sockets are
// in test/integration/dependency-guard.test.ts.
const options = { callTimeoutMs: 1_000, backoffMs: 5_000, maxBackoffMs: 20_000 };

let clock: FakeClock;
let backoffs: string[];
let logs: { level: string; message: unknown; context: unknown }[];
const logger: DomainLogger = {
  debug: () => {},
  info: (message, ...context) => void logs.push({ level: 'info', message, context: context[0] }),
  warn: (message, ...context) => void logs.push({ level: 'warn', message, context: context[0] }),
  error: () => {},
};
const metrics = {
  dependencyBackoff: (dependency: string) => void backoffs.push(dependency),
} as unknown as DataLayerMetrics;

beforeEach(() => {
  clock = new FakeClock();
  backoffs = [];
  logs = [];
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const newGuard = () =>
  new DependencyGuard({ dependency: 'dynamodb', options, metrics, logger, now: clock.now });

/** An error the way Node's sockets raise one: a name and a `code`, no HTTP status. */
function socketError(code: string, name = 'Error'): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:8000`), { name, code });
}
/** An error the dependency sent: the SDK puts its HTTP status in `$metadata`. */
function answeredError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });
}
const refused = () => Promise.reject(socketError('ECONNREFUSED'));
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
/** A call that settles only when its signal aborts (a hung dependency), with the SDK's abort error. */
const hangs = (signal: AbortSignal) =>
  new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () =>
      reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
    ),
  );

describe('isUnreachable', () => {
  it('is true only for errors with no answer: timeouts and connection faults', () => {
    expect(isUnreachable(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(true);
    for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'])
      expect(isUnreachable(socketError(code)), code).toBe(true);
  });

  it('is false for an answer, a reset by a live peer, an unknown error and a non-error', () => {
    expect(isUnreachable(answeredError('ThrottlingException'))).toBe(false);
    // An HTTP status proves an answer whatever the name says.
    expect(isUnreachable(Object.assign(answeredError('x'), { name: 'TimeoutError' }))).toBe(false);
    // The SDK names a reset "socket hang up" a TimeoutError; the reset's code proves a live peer.
    expect(isUnreachable(socketError('ECONNRESET', 'TimeoutError'))).toBe(false);
    expect(isUnreachable(socketError('EPIPE'))).toBe(false);
    expect(isUnreachable(new Error('boom'))).toBe(false);
    expect(isUnreachable(Object.assign(new Error('x'), { code: 42 }))).toBe(false);
    expect(isUnreachable(socketError('EINVAL'))).toBe(false);
    expect(isUnreachable('ECONNREFUSED')).toBe(false);
    expect(isUnreachable({ name: 'TimeoutError', code: 'ECONNREFUSED' })).toBe(false);
  });
});

describe('DependencyGuard.run', () => {
  it('hands back what the call answered and stays healthy', async () => {
    const guard = newGuard();
    await expect(guard.run(async () => 'item')).resolves.toBe('item');
    expect(guard.status()).toEqual({ state: 'healthy', until: null, backoffSeconds: null });
    expect(backoffs).toEqual([]);
    expect(logs).toEqual([]);
    // The call's budget timer goes with the call.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('backs off after an unreachable call: the next calls are not sent until the back-off ends', async () => {
    const guard = newGuard();
    const fault = await rejection(guard.run(refused));
    expect((fault as { code?: string }).code).toBe('ECONNREFUSED');
    expect(backoffs).toEqual(['dynamodb']);
    const warning = logs.find((log) => log.level === 'warn');
    expect(warning?.message).toBe('dependency did not answer; skipping it for a back-off');
    expect(warning?.context).toEqual({
      dependency: 'dynamodb',
      fault: 'Error (ECONNREFUSED)',
      backoffSeconds: 5,
      until: new Date(clock.now() + 5_000).toISOString(),
    });
    // The fault is named by its name and code only: its message carries the endpoint.
    expect(JSON.stringify(warning)).not.toContain('10.0.0.1');

    const call = vi.fn(async () => 'item');
    const skipped = await rejection(guard.run(call));
    expect(skipped).toBeInstanceOf(DependencyUnavailableError);
    expect(skipped).toMatchObject({ reason: 'backing_off', retryAt: clock.now() + 5_000 });
    expect((skipped as Error).message).toBe('dynamodb unavailable: backing off');
    expect(call).not.toHaveBeenCalled();
    expect(guard.status()).toEqual({
      state: 'backing_off',
      until: new Date(clock.now() + 5_000).toISOString(),
      backoffSeconds: 5,
    });
  });

  it('names a fault with no code by its name alone', async () => {
    const guard = newGuard();
    await rejection(guard.run(() => Promise.reject(Object.assign(new Error('t'), { name: 'TimeoutError' }))));
    expect(logs.find((log) => log.level === 'warn')?.context).toMatchObject({ fault: 'TimeoutError' });
  });

  it('lets one probe through once the back-off ends; its answer ends the back-off', async () => {
    const guard = newGuard();
    await rejection(guard.run(refused));
    clock.advance(5_000);
    expect(guard.status()).toEqual({ state: 'probe_due', until: null, backoffSeconds: 5 });

    let answer!: (value: string) => void;
    const probe = guard.run(() => new Promise<string>((resolve) => (answer = resolve)));
    expect(guard.status()).toEqual({ state: 'probing', until: null, backoffSeconds: 5 });
    const other = vi.fn(async () => 'item');
    await expect(guard.run(other)).rejects.toMatchObject({ reason: 'backing_off' });
    expect(other).not.toHaveBeenCalled();

    answer('item');
    await expect(probe).resolves.toBe('item');
    expect(guard.status().state).toBe('healthy');
    expect(logs.filter((log) => log.level === 'info')).toEqual([
      {
        level: 'info',
        message: 'dependency answered again; back-off over',
        context: { dependency: 'dynamodb' },
      },
    ]);
  });

  it('doubles the back-off when the probe fails too, up to the cap', async () => {
    const guard = newGuard();
    await rejection(guard.run(refused));
    const probes: [waited: number, backoff: number][] = [
      [5, 10],
      [10, 20],
      [20, 20],
    ];
    for (const [waited, seconds] of probes) {
      clock.advance(waited * 1000);
      await rejection(guard.run(refused));
      expect(guard.status()).toMatchObject({ state: 'backing_off', backoffSeconds: seconds });
    }
    expect(backoffs).toHaveLength(4);
  });

  it('fails a call that gets no answer within its budget as timed out, and backs off', async () => {
    const guard = newGuard();
    const call = rejection(guard.run((signal) => hangs(signal)));
    await vi.advanceTimersByTimeAsync(options.callTimeoutMs);
    const fault = await call;
    expect(fault).toMatchObject({ name: 'DependencyUnavailableError', reason: 'timed_out' });
    expect((fault as Error).cause).toMatchObject({ name: 'AbortError' });
    expect(guard.status().state).toBe('backing_off');
    expect(backoffs).toEqual(['dynamodb']);
  });

  it('starts no back-off for a call whose budget ran out while the dependency was answering it', async () => {
    const guard = newGuard();
    const call = rejection(
      guard.run((signal, answered) => {
        answered(); // a throttled attempt: an answer, which the SDK retries
        return hangs(signal);
      }),
    );
    await vi.advanceTimersByTimeAsync(options.callTimeoutMs);
    expect(await call).toMatchObject({ reason: 'timed_out' });
    expect(guard.status().state).toBe('healthy');
    expect(backoffs).toEqual([]);
  });

  it('ends a probe that was answered before its budget ran out as recovered', async () => {
    const guard = newGuard();
    await rejection(guard.run(refused));
    clock.advance(5_000);
    const probe = rejection(
      guard.run((signal, answered) => {
        answered();
        return hangs(signal);
      }),
    );
    await vi.advanceTimersByTimeAsync(options.callTimeoutMs);
    expect(await probe).toMatchObject({ reason: 'timed_out' });
    expect(guard.status().state).toBe('healthy');
  });

  it("bounds a call by the request's end: cut short, it fails as no time left and moves no state", async () => {
    const guard = newGuard();
    const call = rejection(runUntil(clock.now() + 300, () => guard.run((signal) => hangs(signal))));
    await vi.advanceTimersByTimeAsync(300);
    expect(await call).toMatchObject({ reason: 'no_time_left' });
    expect(guard.status().state).toBe('healthy');
    expect(backoffs).toEqual([]);
  });

  it('sends nothing once the request has no time left, and gives a probe back for the next call', async () => {
    const guard = newGuard();
    await rejection(guard.run(refused));
    clock.advance(5_000);
    const call = vi.fn(async () => 'item');
    await expect(runUntil(clock.now(), () => guard.run(call))).rejects.toMatchObject({
      reason: 'no_time_left',
    });
    expect(call).not.toHaveBeenCalled();
    // The probe it was admitted as went back: the next call probes at once.
    expect(guard.status().state).toBe('probe_due');
    await expect(guard.run(call)).resolves.toBe('item');
    expect(guard.status().state).toBe('healthy');
  });

  it("gives a probe back when its caller cancels it, whatever the error's kind", async () => {
    const guard = newGuard();
    await rejection(guard.run(refused));
    clock.advance(5_000);
    const caller = new AbortController();
    const probe = rejection(guard.run((signal) => hangs(signal), caller.signal));
    caller.abort();
    expect(await probe).toMatchObject({ name: 'AbortError' });
    expect(guard.status().state).toBe('probe_due');
    expect(backoffs).toEqual(['dynamodb']);
  });

  it('takes an error the dependency sent as an answer: rethrown as it was, a probe so answered recovers', async () => {
    const guard = newGuard();
    const conditionFailed = answeredError('ConditionalCheckFailedException');
    await expect(guard.run(() => Promise.reject(conditionFailed))).rejects.toBe(conditionFailed);
    expect(guard.status().state).toBe('healthy');

    await rejection(guard.run(refused));
    clock.advance(5_000);
    await expect(guard.run(() => Promise.reject(conditionFailed))).rejects.toBe(conditionFailed);
    expect(guard.status().state).toBe('healthy');
  });

  it('starts no back-off for an unreachable error after an answer (a retry that lost its reply)', async () => {
    const guard = newGuard();
    await rejection(
      guard.run((_, answered) => {
        answered();
        return refused();
      }),
    );
    expect(guard.status().state).toBe('healthy');
  });
});

describe('guardClient', () => {
  /** A DynamoDB client whose HTTP handler answers in memory with `respond`'s status and body. */
  function inMemoryClient(respond: () => ScriptedAnswer) {
    let attempts = 0;
    // Three attempts: the SDK's own retries, which the guard must leave as they were.
    const client = scriptedDynamoDbClient(() => {
      attempts += 1;
      return respond();
    }, 3);
    return { client, attempts: () => attempts };
  }
  const getItem = () => new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });

  it('sends through the guard and leaves the client itself as it was', async () => {
    const { client, attempts } = inMemoryClient(() => ({ status: 200, body: { Item: { pk: { S: 'a' } } } }));
    const guarded = guardClient(client, newGuard());
    await expect(guarded.send(getItem())).resolves.toMatchObject({ Item: { pk: { S: 'a' } } });
    expect(attempts()).toBe(1);
    expect(guarded.config).toBe(client.config);
    expect(guarded.middlewareStack).toBe(client.middlewareStack);
  });

  it('backs off when no attempt got an answer, and sends nothing while it lasts', async () => {
    const guard = newGuard();
    const { client, attempts } = inMemoryClient(() => socketError('ECONNREFUSED'));
    const guarded = guardClient(client, guard);
    vi.useRealTimers(); // the SDK schedules its (zero) retry delays on timers
    await rejection(guarded.send(getItem()));
    const sent = attempts();
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(guard.status().state).toBe('backing_off');
    await expect(guarded.send(getItem())).rejects.toMatchObject({ reason: 'backing_off' });
    expect(attempts()).toBe(sent);
  });

  it('notes every answer an attempt got, so a throttled call is alive and starts no back-off', async () => {
    const guard = newGuard();
    const command = getItem();
    const { client, attempts } = inMemoryClient(() => ({
      status: 400,
      body: { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' },
    }));
    vi.useRealTimers();
    const fault = await rejection(guardClient(client, guard).send(command));
    expect(fault).toMatchObject({ name: 'ThrottlingException' });
    expect(attempts()).toBe(3);
    expect(guard.status().state).toBe('healthy');
    // The hook was the command's for that send only.
    expect(command.middlewareStack.identify()).toEqual([]);
  });
});

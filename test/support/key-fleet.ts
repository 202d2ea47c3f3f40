import { randomUUID } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { KeyBroker } from '../../lib/keys/key-broker.js';
import { KeyPoolStore } from '../../lib/keys/key-pool-store.js';
import type { KeyQuarantineOptions } from '../../lib/keys/key-quarantine.js';
import { KeyStates } from '../../lib/keys/key-states.js';
import { RateLimiter } from '../../lib/keys/rate-limiter.js';
import { keyPoolSecretName, type ProviderKey } from '../../lib/keys/secrets-layout.js';
import type { ProviderId } from '../../lib/model/provider-ids.js';
import type { DomainLogger } from '../../lib/observability/logger.js';
import { DataLayerMetrics } from '../../lib/observability/metrics.js';
import { countCommands } from './call-counter.js';
import { quietLogger } from './data-layer.js';
import { freshDataTable, localDynamoDb, localSecretsManager } from './local-services.js';

/** The provider every fleet's pool belongs to. */
export const AV: ProviderId = 'alpha-vantage';
export const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/**
 * Where every fleet's clock starts: 15:00:10 UTC on the day 366 days after the machine's. No sandbox
 * judges dates here, but it must lie ahead: DynamoDB Local's TTL deletes an item within seconds once
 * its `expiresAt` has passed by the real clock, so budget counts written at a past instant vanished
 * mid-test and were granted again.
 */
export const T0 = Math.floor(Date.now() / DAY) * DAY + 366 * DAY + 15 * 60 * MINUTE + 10_000;
/** The end of T0's minute. */
export const T0_MINUTE_END = T0 - 10_000 + MINUTE;
/** The end of T0's day (UTC): when a daily quota that resets at midnight UTC resets. */
export const T0_MIDNIGHT = Math.floor(T0 / DAY) * DAY + DAY;

const dynamodb = localDynamoDb();
const secrets = localSecretsManager();
/** GetSecretValue and friends sent by every fleet's containers. */
export const secretCalls = countCommands(secrets);
const filePrefix = `test-key-fleet-${randomUUID().slice(0, 8)}`;
let fleets = 0;

/** A key of a pool, with a value unique to this run and generous limits unless told. */
export const key = (
  id: string,
  limits: ProviderKey['limits'] = { perMinute: 100, perDay: 1000 },
): ProviderKey => ({
  id,
  value: `VALUE-${id}-${randomUUID()}`,
  addedAt: '2026-11-01T00:00:00Z',
  limits,
});

/**
 * A pool in the Secrets Manager emulator, a fresh table, a fake clock, and `size` brokers on them:
 * each broker is one Lambda container (its own pool cache, state snapshot and memory).
 */
export async function keyFleet(
  keys: ProviderKey[],
  size: number,
  options: { logger?: DomainLogger; quarantine?: KeyQuarantineOptions } = {},
) {
  const secretPrefix = `${filePrefix}-${++fleets}/`;
  await secrets.send(
    new CreateSecretCommand({
      Name: keyPoolSecretName(AV, secretPrefix),
      SecretString: JSON.stringify({ keys }),
    }),
  );
  const tableName = await freshDataTable(dynamodb, 'key-broker');
  const clock = { now: T0 };
  const now = () => clock.now;
  const metrics = new DataLayerMetrics(new Metrics({ namespace: 'ValorIvxTest', serviceName: 'key-broker' }));
  const container = (client: DynamoDBClient = dynamodb) =>
    new KeyBroker({
      pools: new KeyPoolStore(secrets, { secretPrefix, cacheSeconds: 300 }),
      limiter: new RateLimiter(client, tableName),
      states: new KeyStates(client, tableName, { now }),
      metrics,
      logger: options.logger ?? quietLogger,
      now,
      firstTurn: 0,
      ...(options.quarantine ? { quarantine: options.quarantine } : {}),
    });
  const brokers = Array.from({ length: size }, () => container());
  const rotate = (next: ProviderKey[]) =>
    secrets.send(
      new PutSecretValueCommand({
        SecretId: keyPoolSecretName(AV, secretPrefix),
        SecretString: JSON.stringify({ keys: next }),
      }),
    );
  return {
    brokers,
    clock,
    container,
    rotate,
    limiter: new RateLimiter(dynamodb, tableName),
    operator: new KeyStates(dynamodb, tableName, { now }),
  };
}

/** `calls` concurrent leases spread over the brokers: the ids of the keys granted. */
export async function leaseAll(brokers: KeyBroker[], calls: number): Promise<string[]> {
  const leases = await Promise.all(
    Array.from({ length: calls }, (_, i) => brokers[i % brokers.length]?.lease(AV) ?? null),
  );
  return leases.flatMap((lease) => (lease ? [lease.id] : []));
}

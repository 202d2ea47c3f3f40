import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';
import {
  type DynamoDbProxy,
  type DynamoDbProxyKnobsPatch,
  startDynamoDbProxy,
} from '../../infra/local/dynamodb-proxy.js';
import { dynamoDbClient } from './local-services.js';

/** A file's own DynamoDB proxy and an SDK client on it. */
export interface ProxyForFile {
  readonly proxy: DynamoDbProxy;
  /** A client built like `localDynamoDb()` (default retries and timeouts), on this file's proxy. */
  readonly dynamodb: DynamoDBClient;
}

/**
 * One DynamoDB proxy for the file, in this worker, in front of the run's DynamoDB Local, for tests that
 * set knobs (throttling, lost replies) or move the lag's clock. The replica lag runs on `now` (ms) when
 * given, so a test advances its fake clock past the lag; otherwise on the machine's real clock. Before each
 * test the knobs go back to `knobs` (over the defaults: no lag, no faults), the recorded reads are
 * forgotten and the stats are zeroed; the proxy closes after the file.
 */
export function dynamoDbProxyForFile(
  options: { now?: () => number; knobs?: DynamoDbProxyKnobsPatch } = {},
): ProxyForFile {
  let proxy: DynamoDbProxy | undefined;
  let dynamodb: DynamoDBClient | undefined;
  beforeAll(async () => {
    proxy = await startDynamoDbProxy({
      target: inject('dynamodbLocalEndpoint'),
      ...(options.now ? { now: options.now } : {}),
      ...(options.knobs ? { knobs: options.knobs } : {}),
    });
    dynamodb = dynamoDbClient(proxy.endpoint);
  });
  afterAll(async () => {
    dynamodb?.destroy();
    await proxy?.close();
  });
  beforeEach(() => {
    proxy?.resetKnobs();
    proxy?.resetStats();
  });
  return {
    get proxy() {
      if (!proxy) throw new Error('the DynamoDB proxy starts in beforeAll');
      return proxy;
    },
    get dynamodb() {
      if (!dynamodb) throw new Error('the DynamoDB proxy starts in beforeAll');
      return dynamodb;
    },
  };
}

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from '../../../lib/config.js';
import { createDataLayer, type DataLayer } from '../../../lib/data-layer.js';
import { workDueBy } from '../../../lib/resilience/request-end.js';
import { batchPrices } from '../../../lib/services/batch-prices.js';
import { createDynamoDbClient } from '../../../lib/storage/dynamodb-client.js';
import type { WorkloadRequest } from './requests.js';

/** DynamoDB request units a client spent, from the `ConsumedCapacity` DynamoDB returns. */
export interface CapacityMeter {
  readUnits: number;
  writeUnits: number;
  reads: number;
  writes: number;
}

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'TransactGetItemsCommand']);
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** Asks DynamoDB for the units every command consumed, and adds them up. */
function meterCapacity(client: DynamoDBClient): CapacityMeter {
  const meter: CapacityMeter = { readUnits: 0, writeUnits: 0, reads: 0, writes: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      const input = args.input as Record<string, unknown>;
      if (READS.has(name) || WRITES.has(name)) input.ReturnConsumedCapacity = 'TOTAL';
      const output = await next(args);
      const consumed = (output.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const units = [consumed]
        .flat()
        .reduce<number>(
          (sum, c) => sum + ((c as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0),
          0,
        );
      if (READS.has(name)) {
        meter.reads++;
        meter.readUnits += units;
      } else if (WRITES.has(name)) {
        meter.writes++;
        meter.writeUnits += units;
      }
      return output;
    },
    { step: 'initialize', name: 'meterCapacity' },
  );
  return meter;
}

/** One simulated Lambda container: its own SDK clients, logger, metrics and data layer. */
export interface Container {
  layer: DataLayer;
  meter: CapacityMeter;
  /** Answers that failed, by the error's name (a batch's per-symbol errors by their code). */
  errors: Record<string, number>;
}

/**
 * A container as `functions/shared/container.ts` builds one, from the same environment, on the
 * workload's clock; its DynamoDB client meters the capacity each command consumes.
 */
export function startContainer(
  env: NodeJS.ProcessEnv,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> },
): Container {
  const config = loadConfig(env);
  const dynamodb = createDynamoDbClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB });
  const secretsManager = new SecretsManagerClient({ endpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER });
  const meter = meterCapacity(dynamodb);
  const metrics = new Metrics({ namespace: 'ValorIVX/DataLayer', serviceName: 'valor-ivx-data' });
  const logger = new Logger({ serviceName: 'valor-ivx-data', logLevel: 'INFO' });
  const layer = createDataLayer({ config, clients: { dynamodb, secretsManager }, logger, metrics, clock });
  return { layer, meter, errors: {} };
}

/** The cache outcome of each data answer a request got: one per symbol for a batch. */
export type AnswerOutcome = 'hit' | 'miss' | 'stale' | 'error';

/** Serves one request as its endpoint's handler would, and says how each answer was served. */
export async function serve(
  container: Container,
  request: WorkloadRequest,
  deadline: number,
): Promise<AnswerOutcome[]> {
  // The request's metrics, buffered and flushed as the Middy stack does around every invocation.
  container.layer.metrics.startRequest();
  const failed = (kind: string) => {
    container.errors[kind] = (container.errors[kind] ?? 0) + 1;
  };
  try {
    // Under the request's provider work end, as the route function's `runUntil` sets it.
    return await workDueBy(deadline, () => answer(container.layer, request, failed));
  } catch (error) {
    failed(`${request.kind}: ${error instanceof Error ? error.name : 'unknown'}`);
    return ['error'];
  } finally {
    container.layer.metrics.flush();
  }
}

const outcome = (answer: { meta: { cache: string; stale: boolean } }): AnswerOutcome =>
  answer.meta.stale ? 'stale' : answer.meta.cache === 'hit' ? 'hit' : 'miss';

async function answer(
  layer: DataLayer,
  request: WorkloadRequest,
  failed: (kind: string) => void,
): Promise<AnswerOutcome[]> {
  const { marketData, batchDeps } = layer;
  switch (request.kind) {
    case 'quote':
      return [outcome(await marketData.getQuote(request.symbol))];
    case 'history': {
      const { symbol, from, to } = request;
      return [outcome(await marketData.getDailyHistory({ symbol, from, to }))];
    }
    case 'financials': {
      const { symbol, statement, period } = request;
      return [outcome(await marketData.getStatements({ symbol, statement, period }))];
    }
    case 'company':
      return [outcome(await marketData.getCompany(request.symbol))];
    case 'search':
      return [outcome(await marketData.search(request.query))];
    case 'batch': {
      const batch = await batchPrices(request.symbols, batchDeps);
      return [
        ...Object.values(batch.results).map(outcome),
        ...batch.errors.map((error): AnswerOutcome => {
          failed(`batch: ${error.error}`);
          return 'error';
        }),
      ];
    }
  }
}

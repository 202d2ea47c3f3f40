/**
 * List prices the workload's cost figure uses, in one place with the day they were read. AWS
 * us-east-1, on-demand, no free tier. Update the date with the figures.
 */
export const PRICES = {
  asOf: '2026-11-30',
  region: 'us-east-1',
  /** Lambda on arm64 (Graviton): per GB-second of billed duration, and per request. */
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  /** DynamoDB on-demand (Standard table class), per million read and write request units. */
  dynamodbPerMillionReadUnits: 0.125,
  dynamodbPerMillionWriteUnits: 0.625,
  /** CloudWatch Logs, Standard class: per GB ingested (storage is extra and small). */
  logsPerGbIngested: 0.5,
} as const;

/** What a workload measured, per request, that the price table turns into dollars. */
export interface WorkloadCostInputs {
  /** Mean billed Lambda duration per request, ms (billed in 1 ms steps). */
  billedMs: number;
  memoryMb: number;
  readUnits: number;
  writeUnits: number;
  logBytes: number;
}

/** Dollars per million requests beyond API Gateway's own price, by component. */
export function costPerMillion(perRequest: WorkloadCostInputs) {
  const million = 1_000_000;
  const lambda =
    (perRequest.billedMs / 1000) * (perRequest.memoryMb / 1024) * PRICES.lambdaArmPerGbSecond * million +
    PRICES.lambdaPerMillionRequests;
  const dynamodb =
    perRequest.readUnits * PRICES.dynamodbPerMillionReadUnits +
    perRequest.writeUnits * PRICES.dynamodbPerMillionWriteUnits;
  const logs = ((perRequest.logBytes * million) / 1024 ** 3) * PRICES.logsPerGbIngested;
  return { lambda, dynamodb, logs, total: lambda + dynamodb + logs };
}

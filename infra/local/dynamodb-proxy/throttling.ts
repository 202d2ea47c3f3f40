import { jsonAnswer, type WireAnswer } from './wire.js';

/**
 * DynamoDB's throttling answer for an on-demand table (the data table is PAY_PER_REQUEST): HTTP 400 with
 * `ThrottlingException` and the message DynamoDB sends when a partition (or a new table's burst) is past
 * its throughput. The `__type` is the one DynamoDB's front end uses for it; the SDK keeps the part after
 * `#`, raises `ThrottlingException` and retries it as a throttling error. `throttlingReasons` follows the
 * ThrottlingReason shape of the DynamoDB API reference (reason `Table<Read|Write>KeyRangeThroughputExceeded`,
 * resource the table's ARN).
 */

const THROTTLING_TYPE = 'com.amazon.coral.availability#ThrottlingException';
export const THROTTLING_MESSAGE =
  'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your ' +
  'table or index so please try again shortly. If exceptions persist, check if you have a hot key: ' +
  'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html';

// DynamoDB Local names its tables in this region and account.
const LOCAL_TABLE_ARN_PREFIX = 'arn:aws:dynamodb:ddblocal:000000000000:table/';

const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

/** The error of a throttled item call or of a batch whose every key is throttled. */
export function throttlingAnswer(operation: string, tableName: string | undefined): WireAnswer {
  const access = READ_OPERATIONS.has(operation) ? 'Read' : 'Write';
  return jsonAnswer(400, {
    __type: THROTTLING_TYPE,
    message: THROTTLING_MESSAGE,
    throttlingReasons: [
      {
        reason: `Table${access}KeyRangeThroughputExceeded`,
        resource: `${LOCAL_TABLE_ARN_PREFIX}${tableName ?? 'unknown'}`,
      },
    ],
  });
}

/**
 * A transaction on a throttled partition is not answered with ThrottlingException: DynamoDB cancels it
 * (TransactionCanceledException, which the SDK does not retry) with one cancellation reason per item in
 * request order, `ThrottlingError` with the same message for the throttled ones, `None` for the others.
 * The body's shape is DynamoDB Local's own for a cancelled transaction.
 */
export function cancelledTransactionAnswer(throttledItems: readonly boolean[]): WireAnswer {
  const reasons = throttledItems.map((throttled) =>
    throttled ? { Code: 'ThrottlingError', Message: THROTTLING_MESSAGE } : { Code: 'None' },
  );
  return jsonAnswer(400, {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    CancellationReasons: reasons,
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
  });
}

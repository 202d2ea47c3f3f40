/**
 * The one definition of the data table: CDK builds it from this, the local stack creates it from this,
 * and every store in `lib/` addresses items through these attribute names.
 *
 * Single-table layout: `pk` names the thing (`quote#IBM`, or `breaker` for every circuit breaker), `sk` its facet (`cache#v2` and its parts, `lease` for a cache fill's lease, the provider id).
 * `expiresAt` (epoch seconds) is the TTL attribute; DynamoDB deletes expired items lazily, so every
 * reader also checks it.
 */
export const DATA_TABLE = {
  defaultName: 'valor-ivx-data',
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
} as const;

/** The environment variable that carries the table name into every function. */
export const DATA_TABLE_ENV = 'DATA_TABLE_NAME';

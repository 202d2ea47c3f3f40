import type { UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { toAttributes } from './item-attributes.js';

/**
 * One conditional `UpdateItem`'s expressions and, declared beside them, what they use. Every attribute
 * is written `#<attribute>` and every value `:<name>` in the clauses; `names` lists the attributes and
 * `values` the values (plain values, marshalled here). DynamoDB refuses a declared name or value that
 * no expression uses, and an expression that uses one not declared, so each write declares exactly
 * its own: nothing is derived from the expression text.
 */
export interface ItemUpdate {
  set?: readonly string[];
  add?: readonly string[];
  remove?: readonly string[];
  condition?: string;
  /** The attributes the expressions name, each written `#<attribute>` in them. */
  names: readonly string[];
  /** The values the expressions use, by placeholder (`:name`). */
  values: Readonly<Record<string, NativeAttributeValue>>;
}

/** The request fields of an {@link ItemUpdate}. */
export type UpdateExpressions = Pick<
  UpdateItemCommandInput,
  'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;

/** The `UpdateItem` fields of an update: `SET`, `ADD`, `REMOVE` in that order, each only when it has clauses. */
export function updateExpressions({
  set = [],
  add = [],
  remove = [],
  condition,
  names,
  values,
}: ItemUpdate): UpdateExpressions {
  const clauses: [string, readonly string[]][] = [
    ['SET', set],
    ['ADD', add],
    ['REMOVE', remove],
  ];
  return {
    UpdateExpression: clauses
      .filter(([, parts]) => parts.length > 0)
      .map(([action, parts]) => `${action} ${parts.join(', ')}`)
      .join(' '),
    ConditionExpression: condition,
    ExpressionAttributeNames:
      names.length > 0
        ? Object.fromEntries([...new Set(names)].map((name) => [`#${name}`, name]))
        : undefined,
    // DynamoDB refuses an empty map of values.
    ExpressionAttributeValues: Object.keys(values).length > 0 ? toAttributes(values) : undefined,
  };
}

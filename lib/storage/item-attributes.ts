import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { convertToNative, marshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import type * as z from 'zod/mini';

/**
 * The one way an item crosses between plain values and DynamoDB's attribute values: `marshall` on the
 * way in, `unmarshall` plus the kind's zod schema on the way out (as Powertools Idempotency reads its
 * records). Only the file that owns a stored kind calls these, with that kind's schema.
 */

/** An item, key or map of expression values as attribute values; `undefined` fields are left out. */
export function toAttributes(
  values: Readonly<Record<string, NativeAttributeValue>>,
): Record<string, AttributeValue> {
  return marshall(values, { removeUndefinedValues: true });
}

/**
 * A stored item read through its kind's schema; `undefined` for no item or one the schema refuses.
 * Attributes are converted one by one, and one that cannot be (a number past what a JavaScript number
 * holds exactly) is left out, so a schema that reads each field on its own keeps the rest of the item.
 */
export function fromAttributes<Schema extends z.ZodMiniType>(
  schema: Schema,
  item: Record<string, AttributeValue> | undefined,
): z.output<Schema> | undefined {
  if (item === undefined) return undefined;
  const plain: Record<string, NativeAttributeValue> = {};
  for (const [name, value] of Object.entries(item)) {
    try {
      plain[name] = convertToNative(value);
    } catch {
      // Left out: read as absent.
    }
  }
  const parsed = schema.safeParse(plain);
  return parsed.success ? parsed.data : undefined;
}

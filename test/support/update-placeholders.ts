import { DynamoDBClient, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect } from 'vitest';

/**
 * A DynamoDB client whose calls aws-sdk-client-mock answers, reset after each test: for faults and
 * answers DynamoDB Local cannot produce (a reply lost after the write applied).
 */
export function mockedDynamoDb() {
  const client = new DynamoDBClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  afterEach(() => mock.reset());
  return { client, mock };
}

type Expressions = Pick<
  UpdateItemCommandInput,
  'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>;

/** The `#name`s or `:value`s an update's expressions use, sorted. */
function used(input: Expressions, sigil: '#' | ':'): string[] {
  const text = `${input.UpdateExpression} ${input.ConditionExpression}`;
  return [...new Set(text.match(sigil === '#' ? /#\w+/g : /:\w+/g))].sort();
}

/**
 * That an update declares exactly the names and values its expressions use, each name standing for
 * the attribute it spells: DynamoDB refuses one declared and unused, and one used and not declared.
 */
export function expectDeclaresWhatItUses(input: Expressions): void {
  expect(Object.keys(input.ExpressionAttributeNames ?? {}).sort()).toEqual(used(input, '#'));
  expect(Object.keys(input.ExpressionAttributeValues ?? {}).sort()).toEqual(used(input, ':'));
  for (const [placeholder, attribute] of Object.entries(input.ExpressionAttributeNames ?? {}))
    expect(attribute).toBe(placeholder.slice(1));
}

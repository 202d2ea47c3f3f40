import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { fromAttributes, toAttributes } from '../../../lib/storage/item-attributes.js';
import { updateExpressions } from '../../../lib/storage/item-update.js';

// The one way items and expressions are built for DynamoDB, and the one way items are read back.
describe('updateExpressions', () => {
  it('writes SET, ADD and REMOVE in that order, each only with clauses, with the declared names and values', () => {
    expect(
      updateExpressions({
        set: ['#a = :a', '#b = :b'],
        add: ['#c :one'],
        remove: ['#d'],
        condition: 'attribute_not_exists(#a)',
        names: ['a', 'b', 'c', 'd', 'a'],
        values: { ':a': 'x', ':b': 2, ':one': 1, ':skipped': undefined },
      }),
    ).toEqual({
      UpdateExpression: 'SET #a = :a, #b = :b ADD #c :one REMOVE #d',
      ConditionExpression: 'attribute_not_exists(#a)',
      ExpressionAttributeNames: { '#a': 'a', '#b': 'b', '#c': 'c', '#d': 'd' },
      ExpressionAttributeValues: { ':a': { S: 'x' }, ':b': { N: '2' }, ':one': { N: '1' } },
    });
  });

  it('sends no map of names or values when there are none (DynamoDB refuses an empty one)', () => {
    expect(updateExpressions({ remove: ['#d'], names: ['d'], values: {} })).toEqual({
      UpdateExpression: 'REMOVE #d',
      ConditionExpression: undefined,
      ExpressionAttributeNames: { '#d': 'd' },
      ExpressionAttributeValues: undefined,
    });
    expect(
      updateExpressions({ set: ['x = :x'], names: [], values: { ':x': 1 } }).ExpressionAttributeNames,
    ).toBe(undefined);
  });
});

describe('item attributes', () => {
  const Schema = z.object({
    name: z.string(),
    count: z.catch(z.number(), 0),
    tags: z.optional(z.set(z.string())),
  });

  it('marshalls plain values, sets and bytes, leaving undefined fields out', () => {
    expect(
      toAttributes({
        name: 'a',
        count: 3,
        tags: new Set(['t']),
        bytes: new Uint8Array([1]),
        gone: undefined,
      }),
    ).toEqual({
      name: { S: 'a' },
      count: { N: '3' },
      tags: { SS: ['t'] },
      bytes: { B: new Uint8Array([1]) },
    });
  });

  it('reads an item through its schema, and nothing for no item or one the schema refuses', () => {
    expect(fromAttributes(Schema, toAttributes({ name: 'a', count: 3, tags: new Set(['t']) }))).toEqual({
      name: 'a',
      count: 3,
      tags: new Set(['t']),
    });
    expect(fromAttributes(Schema, undefined)).toBeUndefined();
    expect(fromAttributes(Schema, { count: { N: '3' } })).toBeUndefined();
  });

  it('reads an attribute it cannot convert as absent, keeping the rest of the item', () => {
    // A number past what a JavaScript number holds exactly: unmarshall refuses it.
    expect(
      fromAttributes(Schema, { name: { S: 'a' }, count: { N: '123456789012345678901234567890' } }),
    ).toEqual({
      name: 'a',
      count: 0,
    });
  });
});

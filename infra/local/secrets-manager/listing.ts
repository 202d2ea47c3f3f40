import { AwsError, invalidParameter } from './errors.js';
import {
  type JsonObject,
  optionalObjectList,
  optionalString,
  requiredString,
  requiredStringList,
} from './input.js';
import type { Secret } from './model.js';

/** AWS's default page size for the list operations when MaxResults is left out. */
const DEFAULT_PAGE_SIZE = 100;

/**
 * One page of `items`. The token is an opaque offset; the emulator does not mind items changing
 * between pages, which AWS does not promise to handle either.
 */
export function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { page: T[]; NextToken?: string } {
  const start = nextToken === undefined ? 0 : decodeOffset(nextToken, items.length);
  const end = start + (maxResults ?? DEFAULT_PAGE_SIZE);
  const page = items.slice(start, end);
  return end < items.length ? { page, NextToken: Buffer.from(String(end)).toString('base64url') } : { page };
}

function decodeOffset(token: string, length: number): number {
  const offset = Number(Buffer.from(token, 'base64url').toString());
  if (!Number.isInteger(offset) || offset < 0 || offset > length) {
    throw new AwsError('InvalidNextTokenException', 'The NextToken value is not valid.');
  }
  return offset;
}

type Attributes = (secret: Secret, region: string) => string[];

const tagKeys: Attributes = (secret) => secret.tags.map((tag) => tag.Key);
const tagValues: Attributes = (secret) => secret.tags.map((tag) => tag.Value);

/** What each ListSecrets filter key searches. AWS matches by prefix; `all` searches every attribute. */
const FILTER_ATTRIBUTES: Record<string, Attributes> = {
  name: (secret) => [secret.name],
  description: (secret) => (secret.description === undefined ? [] : [secret.description]),
  'tag-key': tagKeys,
  'tag-value': tagValues,
  'primary-region': (_secret, region) => [region],
  'owning-service': () => [],
  all: (secret, region) =>
    [secret.name, secret.description ?? '', ...tagKeys(secret, region), ...tagValues(secret, region), region]
      // `all` breaks values into words, so a word in the middle of a name matches too.
      .flatMap((value) => [value, ...value.split(/[\s/_+=.@-]+/)]),
};

/** AWS documents these two as case-insensitive; every other key is case-sensitive. */
const CASE_INSENSITIVE = new Set(['description', 'all']);

interface Filter {
  key: string;
  values: string[];
}

export function readFilters(input: JsonObject): Filter[] {
  return (optionalObjectList(input, 'Filters') ?? []).map((filter) => {
    const key = requiredString(filter, 'Key');
    if (!(key in FILTER_ATTRIBUTES)) throw invalidParameter(`Invalid filter key: ${key}`);
    return { key, values: requiredStringList(filter, 'Values') };
  });
}

/** Filters must all match; within a filter any value may. A leading `!` negates a value. */
export function matchesFilters(secret: Secret, region: string, filters: readonly Filter[]): boolean {
  return filters.every(({ key, values }) => {
    const fold = CASE_INSENSITIVE.has(key) ? (text: string) => text.toLowerCase() : (text: string) => text;
    const attributes = (FILTER_ATTRIBUTES[key]?.(secret, region) ?? []).map(fold);
    return values.some((raw) => {
      const negated = raw.startsWith('!');
      const term = fold(negated ? raw.slice(1) : raw);
      return attributes.some((attribute) => attribute.startsWith(term)) !== negated;
    });
  });
}

const SORT_KEYS: Record<string, (secret: Secret) => number | string> = {
  'created-date': (secret) => secret.createdDate.getTime(),
  'last-changed-date': (secret) => secret.lastChangedDate.getTime(),
  'last-accessed-date': (secret) => secret.lastAccessedDate?.getTime() ?? 0,
  name: (secret) => secret.name,
};

/** ListSecrets' order: by `SortBy` (default creation date), `SortOrder` asc or desc (default asc). */
export function sortSecrets(secrets: Secret[], input: JsonObject): Secret[] {
  const sortBy = optionalString(input, 'SortBy') ?? 'created-date';
  const order = optionalString(input, 'SortOrder') ?? 'asc';
  const keyOf = SORT_KEYS[sortBy];
  if (!keyOf) throw invalidParameter(`Invalid SortBy value: ${sortBy}`);
  if (order !== 'asc' && order !== 'desc') throw invalidParameter(`Invalid SortOrder value: ${order}`);
  const direction = order === 'asc' ? 1 : -1;
  return [...secrets].sort((a, b) => {
    const [left, right] = [keyOf(a), keyOf(b)];
    return left < right ? -direction : left > right ? direction : 0;
  });
}

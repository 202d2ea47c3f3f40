import type { Operation } from '../context.js';
import {
  optionalBoolean,
  optionalMaxResults,
  optionalString,
  requiredString,
  requiredStringList,
  requiredTags,
} from '../input.js';
import { matchesFilters, paginate, readFilters, sortSecrets } from '../listing.js';
import { secretMetadata, stagesByVersion } from '../render.js';
import { findLiveSecret, findSecret } from '../store.js';

/** DescribeSecret: metadata and labels, never values; it works on a secret scheduled for deletion. */
export const describeSecret: Operation = (input, { store }) => {
  const secret = findSecret(store, requiredString(input, 'SecretId'));
  return { ...secretMetadata(secret), VersionIdsToStages: stagesByVersion(secret) };
};

/** ListSecrets: filtered, sorted, paged; secrets scheduled for deletion only when asked for. */
export const listSecrets: Operation = (input, { store }) => {
  const includePlannedDeletion = optionalBoolean(input, 'IncludePlannedDeletion') ?? false;
  const filters = readFilters(input);
  const matching = store
    .all()
    .filter((secret) => includePlannedDeletion || !secret.deletion)
    .filter((secret) => matchesFilters(secret, store.region, filters));
  const { page, NextToken } = paginate(
    sortSecrets(matching, input),
    optionalMaxResults(input),
    optionalString(input, 'NextToken'),
  );
  return {
    SecretList: page.map((secret) => ({
      ...secretMetadata(secret),
      SecretVersionsToStages: stagesByVersion(secret),
    })),
    NextToken,
  };
};

/** TagResource: adds tags, replacing the value of a key that is already there. */
export const tagResource: Operation = (input, { store, now }) => {
  const secret = findLiveSecret(store, requiredString(input, 'SecretId'));
  const tags = requiredTags(input);
  const added = new Set(tags.map((tag) => tag.Key));
  secret.tags = [...secret.tags.filter((tag) => !added.has(tag.Key)), ...tags];
  secret.lastChangedDate = now();
  return {};
};

/** UntagResource: removes tags by key; keys that are not there are ignored. */
export const untagResource: Operation = (input, { store, now }) => {
  const secret = findLiveSecret(store, requiredString(input, 'SecretId'));
  const removed = new Set(requiredStringList(input, 'TagKeys'));
  secret.tags = secret.tags.filter((tag) => !removed.has(tag.Key));
  secret.lastChangedDate = now();
  return {};
};

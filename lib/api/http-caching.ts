import { createHash } from 'node:crypto';

/**
 * Bumped whenever the JSON a data answer's `data` serializes to changes for the same value (a new
 * envelope, another number format): the entity tag must change with the bytes a client stores.
 */
const REPRESENTATION_VERSION = 'json-v1';

/**
 * The strong entity tag of a data answer: a hash of its `data`, as serialized, and of the
 * representation's version. `meta` is left out on purpose: it describes this delivery (hit or miss,
 * age, attempts), as `Age` or `Date` headers would, not the resource; two answers with the same
 * `data` carry the same data byte for byte, and a client holding either is up to date. A tag over
 * `meta` too would change on every answer (its age ticks) and no `If-None-Match` would ever match.
 * The API sends no `Content-Encoding` of its own (API Gateway compression is off), so one tag per
 * `data` is right for every answer of it.
 */
export function entityTag(data: unknown): string {
  const hash = createHash('sha256').update(REPRESENTATION_VERSION).update('\n').update(JSON.stringify(data));
  return `"${hash.digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether a request's `If-None-Match` matches the current entity tag (RFC 9110 §13.1.2): `*` matches
 * any current representation, a list matches when any member does, compared weakly (`W/"x"` matches
 * `"x"`), as the RFC requires for this header. A malformed member matches nothing.
 */
export function ifNoneMatchMatches(header: string | undefined, currentTag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.replace(/^W\//, '');
  const current = opaque(currentTag);
  // An entity tag is `"` + characters other than `"` + `"`, optionally prefixed `W/`; commas may sit inside.
  return [...header.matchAll(/(?:W\/)?"[^"]*"/g)].some(([tag]) => opaque(tag) === current);
}

/**
 * `Cache-Control` of a data answer: `private` because every answer goes to one API-key holder (the
 * usage plan meters each key, so a shared cache answering another client would bypass its metering
 * and hand out data under someone else's key); `max-age` the whole seconds of freshness the cache
 * has left for it, 0 when it is served stale (`meta.stale`), so a client revalidates at once.
 */
export function dataCacheControl(freshForSeconds: number): string {
  const seconds = Number.isFinite(freshForSeconds) ? Math.max(0, Math.floor(freshForSeconds)) : 0;
  return `private, max-age=${seconds}`;
}

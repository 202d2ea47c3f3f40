/** Values providers send for "no value": never to be read as 0 or a string. */
const MISSING_MARKERS = new Set(['', 'none', 'null', 'n/a', 'na', '-', '--', 'nan', 'undefined']);

/**
 * Reads a provider's number: JSON numbers as they are, strings with currency symbols, thousands
 * separators, spaces and a trailing `%` stripped. Missing markers and anything non-finite become `null`.
 */
export function toNumber(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (MISSING_MARKERS.has(text.toLowerCase())) return null;
  const cleaned = text.replace(/[$€£¥,\s%]/g, '');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cleaned)) return null;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : null;
}

/** A percentage as a fraction: `"0.4207%"` → 0.004207. */
export function percentToFraction(raw: unknown): number | null {
  const value = toNumber(raw);
  return value === null ? null : value / 100;
}

/** A calendar date `YYYY-MM-DD`, or `null` when the provider's value is not one. */
export function toIsoDate(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(raw.trim());
  if (!match?.[1]) return null;
  const date = new Date(`${match[1]}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== match[1] ? null : match[1];
}

/**
 * A currency code from Twelve Data. London prices come in pence, which Twelve Data writes `GBp`:
 * upper-casing that to `GBP` would make every price a hundred times too large, so pence become `GBX`.
 */
export function currencyOf(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const value = raw.trim();
  if (value === 'GBp' || value.toUpperCase() === 'GBX') return 'GBX';
  return /^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : null;
}

/** The kinds of data the layer serves; each has its own cache lifetime, metrics dimension and providers. */
export const DATA_TYPES = [
  'quote',
  'daily_history',
  'financials',
  'company',
  'search',
  'corporate_actions',
] as const;

/** One kind of data the layer serves (`quote`, `daily_history`, ...). */
export type DataType = (typeof DATA_TYPES)[number];

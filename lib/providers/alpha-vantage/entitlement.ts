/**
 * The US market-data entitlements Alpha Vantage sells with premium plans, as its `entitlement=`
 * query parameter names them: `delayed` (15-minute delayed) and `realtime`. Without the parameter a
 * quote is Alpha Vantage's default, end-of-day data, which is all a free key may ask for. Premium plans
 * differ in which of the two they include (the realtime one is sold as "Realtime US Market Data"), so
 * the operator names it (`ALPHA_VANTAGE_ENTITLEMENT`) rather than the layer guessing it from the plan.
 */
export const ALPHA_VANTAGE_ENTITLEMENTS = ['delayed', 'realtime'] as const;

/** `delayed` or `realtime`: what a premium key may ask `GLOBAL_QUOTE` for. */
export type AlphaVantageEntitlement = (typeof ALPHA_VANTAGE_ENTITLEMENTS)[number];

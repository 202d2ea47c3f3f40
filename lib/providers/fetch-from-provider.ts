import type { ProviderEndpoint, ProviderResult } from './provider.js';
import { callUpstream } from './upstream-client.js';

/** Access to one provider for one call: where it lives, the key to use, how long to wait. */
export interface ProviderAccess {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  signal?: AbortSignal;
  now: () => Date;
}

/** Runs an endpoint's three steps: build the request, classify the answer, transform it. */
export async function fetchFromProvider<Query, Value>(
  endpoint: ProviderEndpoint<Query, Value>,
  query: Query,
  access: ProviderAccess,
): Promise<ProviderResult<Value>> {
  const request = endpoint.buildRequest(query, access);
  const answer = await callUpstream(request, access);
  if (!answer.ok) return answer;
  const problem = endpoint.classify(answer.value, access.now());
  if (problem) return { ok: false, failure: problem };
  return endpoint.transform(answer.value.body, query);
}

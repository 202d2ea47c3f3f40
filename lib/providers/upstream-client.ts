import { failure, type ProviderResult, type UpstreamAnswer, type UpstreamRequest } from './provider.js';

/**
 * Sends one request to a provider within `timeoutMs` (and the caller's `signal`, if any). Network
 * faults and timeouts come back as failure values; error messages never carry the URL, which can
 * hold a key.
 */
export async function callUpstream(
  request: UpstreamRequest,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<ProviderResult<UpstreamAnswer>> {
  // AbortSignal.timeout takes whole milliseconds only.
  const timeout = AbortSignal.timeout(Math.max(1, Math.floor(options.timeoutMs)));
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await fetch(request.url, {
      headers: { accept: 'application/json', ...request.headers },
      signal,
    });
    const text = await response.text();
    return { ok: true, value: { status: response.status, headers: response.headers, body: parseJson(text) } };
  } catch (error) {
    if (timeout.aborted) return failure('timeout', `no answer within ${options.timeoutMs} ms`);
    if (options.signal?.aborted) return failure('timeout', 'request deadline reached');
    return failure('network', `network error (${errorCode(error)})`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The low-level code (`ECONNREFUSED`, `UND_ERR_SOCKET`), never the message: undici's messages can quote the URL. */
function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : 'unknown';
}

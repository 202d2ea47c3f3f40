/**
 * The headers every answer carries, as the OWASP REST Security Cheat Sheet lists them for API
 * answers: the body is data, never a page to sniff, frame or serve over plain HTTP. Names are lower
 * case, as HTTP/2 writes them and as the functions' answers spell their own headers.
 * `Content-Type` is each answer's own; `Cache-Control` is in {@link DEFAULT_CACHE_CONTROL}.
 */
export const SECURITY_HEADERS = {
  /** Browsers must take `Content-Type` at its word: JSON is never run as a script or a page. */
  'x-content-type-options': 'nosniff',
  /** No page may frame an answer (clickjacking); the CSP form for browsers that read it... */
  'content-security-policy': "frame-ancestors 'none'",
  /** ...and the older header for those that do not. */
  'x-frame-options': 'DENY',
  /** HTTPS only, for a year; API Gateway serves HTTPS only anyway, this tells browsers to insist. */
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
} as const;

/**
 * What an answer that says nothing of caching gets (errors, operator readings, health): nothing
 * stores it, in the browser or on the way. Answers that may be cached say so themselves.
 */
export const DEFAULT_CACHE_CONTROL = 'no-store';

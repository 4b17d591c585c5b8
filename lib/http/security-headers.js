/**
 * Headers on every response: next.config.js applies them to what Next serves,
 * and the production server's fast path (server.ts) to what it answers itself.
 * The Content-Security-Policy needs a per-request nonce, so proxy.ts sets it.
 *
 * Plain JavaScript because next.config.js imports it before any TypeScript runs.
 * @type {{ key: string; value: string }[]}
 */
export const SECURITY_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

/**
 * The machine API's answers: the same, plus a policy that lets nothing load or
 * frame them (the proxy, which sets pages' nonce CSP, does not run on /api/v1/).
 * @type {{ key: string; value: string }[]}
 */
export const API_SECURITY_HEADERS = [...SECURITY_HEADERS, { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }];

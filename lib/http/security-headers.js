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

/**
 * The expected answer of every page and route handler to every kind of
 * visitor. One table for two runs: over HTTP through the proxy
 * (e2e/access-matrix.spec.ts) and with the proxy bypassed, calling the pages
 * and handlers directly (tests/adversarial/access.test.ts). A cell that
 * differs between the two would mean authorization hangs on the proxy.
 */
export type Role = "anonymous" | "member" | "admin" | "otherAdmin" | "support";
/**
 * ok: 2xx after redirects; login: ends on /login; denied: 403/404; unauthorized: 401; invalid: 400;
 * refused: 200 with only the administrators-only page (components/members/admin-only.tsx: who the org's admins
 * are), none of the page's own data. A refusal, never counted as an allow.
 */
export type Outcome = "ok" | "login" | "denied" | "unauthorized" | "invalid" | "refused";
/** `redirects: "manual"`: the answer is the route's own redirect (where it points), not the page it leads to. */
export type Row = { method?: "GET" | "POST"; url: (ids: Ids) => string; body?: unknown; redirects?: "manual"; expect: Record<Role, Outcome> };
export type Ids = { northwind: string };

const customerPage = { anonymous: "login", member: "ok", admin: "ok", otherAdmin: "ok", support: "denied" } as const;
const adminPage = { anonymous: "login", member: "denied", admin: "ok", otherAdmin: "ok", support: "denied" } as const;
/** A page of the org's admins that tells a member who the administrators are (200, nothing of the page itself). */
const adminOnlyPage = { ...adminPage, member: "refused" } as const;
const supportPage = { anonymous: "login", member: "denied", admin: "denied", otherAdmin: "denied", support: "ok" } as const;
const everyone = { anonymous: "ok", member: "ok", admin: "ok", otherAdmin: "ok", support: "ok" } as const;
const bearerOnly = { anonymous: "unauthorized", member: "unauthorized", admin: "unauthorized", otherAdmin: "unauthorized", support: "unauthorized" } as const;

// "admin" is Northwind's admin; "otherAdmin" is Contoso's. Ids in URLs are Northwind's.
export const MATRIX: Record<string, Row> = {
  "/": { url: () => "/", expect: { ...everyone, anonymous: "login" } },
  "/login": { url: () => "/login", expect: { ...everyone, anonymous: "login" } },
  "/usage": { url: () => "/usage", expect: customerPage },
  "/usage/export": { url: () => "/usage/export?range=7d", expect: customerPage },
  "/retention": { url: () => "/retention", expect: customerPage },
  "/retention/audit-log.json": { url: () => "/retention/audit-log.json", expect: adminPage },
  "/retention/audit-log/consistency": { url: () => "/retention/audit-log/consistency?from=1", expect: adminPage },
  "/retention/statements/[month]": { url: () => `/retention/statements/${previousMonth()}`, expect: adminPage },
  "/verify": { url: () => "/verify", expect: everyone },
  "/notices": { url: () => "/notices", expect: customerPage },
  "/members": { url: () => "/members", expect: adminOnlyPage },
  // One's own second factor: customer admins may add one, support staff must (members have nothing to set up here).
  "/account/two-factor": { url: () => "/account/two-factor", expect: { anonymous: "login", member: "denied", admin: "ok", otherAdmin: "ok", support: "ok" } },
  // One's own signed-in devices: every signed-in person has some.
  "/account/sessions": { url: () => "/account/sessions", expect: { anonymous: "login", member: "ok", admin: "ok", otherAdmin: "ok", support: "ok" } },
  "/data-removal": { url: () => "/data-removal", expect: adminOnlyPage },
  // An id no request has: nobody learns whether a request exists (a member is told who the admins are, whatever the id).
  "/data-removal/[id]": {
    url: () => "/data-removal/00000000-0000-4000-8000-00000000d00d",
    expect: { anonymous: "login", member: "refused", admin: "denied", otherAdmin: "denied", support: "denied" },
  },
  "/data-removal/[id]/certificate": {
    url: () => "/data-removal/00000000-0000-4000-8000-00000000d00d/certificate",
    expect: { anonymous: "login", member: "denied", admin: "denied", otherAdmin: "denied", support: "denied" },
  },
  "/settings/webhooks": { url: () => "/settings/webhooks", expect: adminOnlyPage },
  "/projects": { url: () => "/projects", expect: customerPage },
  // An id no project has: as unknown to Northwind's people as another org's project.
  "/projects/[projectId]": {
    url: () => "/projects/00000000-0000-4000-8000-00000000d00d",
    expect: { anonymous: "login", member: "denied", admin: "denied", otherAdmin: "denied", support: "denied" },
  },
  "/invite/[token]": { url: () => "/invite/not-a-real-token", expect: everyone },
  // Public: a signed-in person may ask for a reset too; an unknown link is a page that says so.
  "/forgot-password": { url: () => "/forgot-password", expect: everyone },
  "/reset-password/[token]": { url: () => "/reset-password/not-a-real-token", expect: everyone },
  "/support": { url: () => "/support", expect: supportPage },
  "/support/requests": { url: () => "/support/requests", expect: supportPage },
  "/support/flags": { url: () => "/support/flags", expect: supportPage },
  "/support/tokens": { url: () => "/support/tokens", expect: supportPage },
  "/support/removals": { url: () => "/support/removals", expect: supportPage },
  "/support/outbox": { url: () => "/support/outbox", expect: supportPage },
  "/support/orgs/[orgId]": { url: (ids) => `/support/orgs/${ids.northwind}`, expect: supportPage },
  "/docs/api": { url: () => "/docs/api", expect: everyone },
  "/.well-known/jwks.json": { url: () => "/.well-known/jwks.json", expect: everyone },
  "/api/health": { url: () => "/api/health", expect: everyone },
  "/api/health/live": { url: () => "/api/health/live", expect: everyone },
  "/api/health/ready": { url: () => "/api/health/ready", expect: everyone },
  "/api/auth/[...nextauth]": { url: () => "/api/auth/session", expect: everyone },
  "/api/session": {
    method: "POST",
    url: () => "/api/session",
    body: {},
    expect: { anonymous: "invalid", member: "invalid", admin: "invalid", otherAdmin: "invalid", support: "invalid" },
  },
  // The email step of the login page: an empty body names the missing email, whoever asks.
  "/api/sso/start": {
    method: "POST",
    url: () => "/api/sso/start",
    body: {},
    expect: { anonymous: "invalid", member: "invalid", admin: "invalid", otherAdmin: "invalid", support: "invalid" },
  },
  // An identity provider's answer without this browser's flow signs nobody in: back to /login with the reason.
  "/api/sso/callback": {
    url: () => "/api/sso/callback?code=made-up&state=made-up",
    redirects: "manual",
    expect: { anonymous: "login", member: "login", admin: "login", otherAdmin: "login", support: "login" },
  },
  "/api/v1/openapi.json": { url: () => "/api/v1/openapi.json", expect: everyone },
  // An address no endpoint has: a problem+json 404 for everyone, with or without a token.
  "/api/v1/[...path]": {
    url: () => "/api/v1/no/such/endpoint",
    expect: { anonymous: "denied", member: "denied", admin: "denied", otherAdmin: "denied", support: "denied" },
  },
  "/api/v1/usage/events": { method: "POST", url: () => "/api/v1/usage/events", body: { events: [] }, expect: bearerOnly },
  "/api/v1/orgs/[orgId]/retention-policy": { url: (ids) => `/api/v1/orgs/${ids.northwind}/retention-policy`, expect: bearerOnly },
  "/api/v1/orgs/[orgId]/retention-decision": { url: (ids) => `/api/v1/orgs/${ids.northwind}/retention-decision?product=llm`, expect: bearerOnly },
  "/api/v1/retention-policy/stream": { url: () => "/api/v1/retention-policy/stream", expect: bearerOnly },
  "/api/v1/moderation/flags": { method: "POST", url: () => "/api/v1/moderation/flags", body: {}, expect: bearerOnly },
  "/api/v1/removal-orders": { url: () => "/api/v1/removal-orders", expect: bearerOnly },
  "/api/v1/removal-orders/[id]/completion": {
    method: "POST",
    url: () => "/api/v1/removal-orders/00000000-0000-4000-8000-00000000d00d/completion",
    body: {},
    expect: bearerOnly,
  },
};

/** The calendar month before this one (UTC), YYYY-MM: the latest month a statement is due for. */
export function previousMonth(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

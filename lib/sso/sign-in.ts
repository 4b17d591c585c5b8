/**
 * Signing in through an organization's identity provider (OpenID Connect,
 * authorization code flow with PKCE, state and nonce), per org: the provider
 * is the one support staff configured (lib/sso/config.ts) for the email's
 * domain. `beginSsoSignIn` answers the login page's email step: a password,
 * a choice (SSO offered, passwords still allowed) or the provider's
 * authorization URL with a sealed flow cookie. `completeSsoSignIn` checks the
 * provider's answer on /api/sso/callback and provisions the user: a new
 * person of a verified domain joins that org as a member, and nowhere else.
 * The callback route then asks Auth.js for the session with a one-time
 * ticket (lib/auth/sso-ticket.ts), as the password sign-in does.
 *
 * The redirect_uri is derived from APP_URL alone, for the authorization
 * request and the token exchange alike: the server runs Next with hostname
 * localhost, so a request's own origin can differ from the browser's
 * (127.0.0.1), and an identity provider refuses a code exchanged with a
 * redirect_uri other than the one it was issued for (`invalid_grant`).
 *
 * The id token comes straight from the token endpoint, yet its signature is
 * still checked against the provider's JWKS, besides its issuer, audience
 * (our client id), expiry and nonce (oauth4webapi and jose both check them).
 * Discovery documents and key sets are cached per issuer for 10 minutes.
 */
import { and, eq } from "drizzle-orm";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import * as oauth from "oauth4webapi";
import { z } from "zod";
import { getDb, type Tx } from "@/lib/db";
import { memberships, orgSso, ssoDomains, supportStaff, users } from "@/lib/db/schema";
import { appendAudit } from "@/lib/audit/chain";
import { env } from "@/lib/env";
import { parseInput } from "@/lib/errors";
import { logger } from "@/lib/log";
import { processState } from "@/lib/process-state";
import { derivedKey, seal, unseal } from "@/lib/sealed";
import { SignInSchema } from "@/lib/auth/credentials";
import { ssoForEmail } from "@/lib/auth/sso-domains";
import { recordAuthEvent } from "@/lib/auth/throttle";
import { ssoClientSecret } from "./config";

const log = logger("sso");

/** The browser cookie that carries a flow's state, nonce and PKCE verifier (sealed) from the start to the callback. */
export const SSO_FLOW_COOKIE = "zdr-sso-flow";
/** How long a person may spend at their identity provider. */
export const SSO_FLOW_TTL_SECONDS = 10 * 60;
const DISCOVERY_TTL_MS = 10 * 60_000;
const flowKey = () => derivedKey("sso sign-in flow v1");

/** The one redirect_uri, from APP_URL: the same string in the authorization request and the token exchange. */
export function ssoRedirectUri(): string {
  return `${env().APP_URL}/api/sso/callback`;
}

export const SsoStartInput = z.object({
  email: SignInSchema.shape.email,
  /** Where to go after signing in: a path of this app only. */
  next: z
    .string()
    .max(500)
    .optional()
    // A path of this app only: no scheme, no `//host`, no backslash or control character a URL parser would turn into one.
    .transform((n) => (n && /^\/(?![/\\])[^\\\s\u0000-\u001f]*$/.test(n) ? n : "/")),
  /** The person chose single sign-on where passwords are still allowed. */
  sso: z
    .union([z.boolean(), z.enum(["true", "false", "on", ""])])
    .optional()
    .transform((v) => v === true || v === "true" || v === "on"),
});

export type SsoStart =
  | { method: "password" }
  | { method: "choice" }
  | { method: "sso"; redirectTo: string; flowCookie: string; orgId: string }
  | { method: "unavailable"; orgId: string };

type Flow = { orgId: string; issuer: string; clientId: string; state: string; nonce: string; verifier: string; next: string; exp: number };

type Discovered = { as: oauth.AuthorizationServer; at: number };
const discoveryCache = () => processState("sso-discovery", () => new Map<string, Discovered>());
const jwksCache = () => processState("sso-jwks", () => new Map<string, ReturnType<typeof createRemoteJWKSet>>());

/** Plain http only to this machine (a local identity provider in development and tests), as the configuration allows. */
const insecureAllowed = (issuer: string) => new URL(issuer).protocol === "http:";

async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const hit = discoveryCache().get(issuer);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.as;
  const url = new URL(issuer);
  const res = await oauth.discoveryRequest(url, { [oauth.allowInsecureRequests]: insecureAllowed(issuer), signal: AbortSignal.timeout(5_000) });
  const as = await oauth.processDiscoveryResponse(url, res);
  discoveryCache().set(issuer, { as, at: Date.now() });
  return as;
}

function keySet(jwksUri: string) {
  let set = jwksCache().get(jwksUri);
  if (!set) {
    // jose refetches on an unknown kid (key rotation), at most every 30 s.
    set = createRemoteJWKSet(new URL(jwksUri), { cacheMaxAge: DISCOVERY_TTL_MS, cooldownDuration: 30_000, timeoutDuration: 5_000 });
    jwksCache().set(jwksUri, set);
  }
  return set;
}

/** Forgets cached discovery documents and key sets (tests start a fresh provider on a reused address). */
export function clearSsoCaches(): void {
  discoveryCache().clear();
  jwksCache().clear();
}

async function orgProvider(db: Tx, orgId: string) {
  const [row] = await db.select({ issuer: orgSso.issuer, clientId: orgSso.clientId }).from(orgSso).where(eq(orgSso.orgId, orgId));
  return row ? { ...row, clientSecret: await ssoClientSecret(db, orgId) } : null;
}

/** The login page's email step: which way this email signs in, and for single sign-on the provider's URL. */
export async function beginSsoSignIn(input: z.input<typeof SsoStartInput>, db: Tx = getDb()): Promise<SsoStart> {
  const i = parseInput(SsoStartInput, input);
  const route = await ssoForEmail(db, i.email);
  if (!route) return { method: "password" };
  if (!route.enforced && !i.sso) return { method: "choice" };
  const provider = await orgProvider(db, route.orgId);
  if (!provider) return { method: "password" };
  let as: oauth.AuthorizationServer;
  try {
    as = await discover(provider.issuer);
  } catch (err) {
    log.warn(
      { event: "sso_discovery_failed", orgId: route.orgId, name: (err as Error)?.name, code: (err as { code?: string })?.code },
      "identity provider unreachable",
    );
    return { method: "unavailable", orgId: route.orgId };
  }
  if (!as.authorization_endpoint) return { method: "unavailable", orgId: route.orgId };
  const flow: Flow = {
    orgId: route.orgId,
    issuer: provider.issuer,
    clientId: provider.clientId,
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    verifier: oauth.generateRandomCodeVerifier(),
    next: i.next,
    exp: Date.now() + SSO_FLOW_TTL_SECONDS * 1000,
  };
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: provider.clientId,
    redirect_uri: ssoRedirectUri(),
    response_type: "code",
    scope: "openid email profile",
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: "S256",
    login_hint: i.email,
  }).toString();
  return { method: "sso", redirectTo: url.toString(), flowCookie: seal(JSON.stringify(flow), flowKey()), orgId: route.orgId };
}

/** Why a single sign-on was refused; the login page has a sentence for each. */
export const SSO_FAILURES = ["sso_expired", "sso_denied", "sso_invalid", "sso_email_not_allowed", "sso_account_unavailable", "sso_unavailable"] as const;
export type SsoFailure = (typeof SSO_FAILURES)[number];

export type SsoOutcome =
  { ok: true; userId: string; sessionVersion: number; orgId: string; next: string; joined: boolean } | { ok: false; reason: SsoFailure; orgId?: string };

function readFlow(cookie: string | undefined): Flow | null {
  if (!cookie) return null;
  try {
    const flow = JSON.parse(unseal(cookie, flowKey())) as Flow;
    return typeof flow.exp === "number" && flow.exp > Date.now() ? flow : null;
  } catch {
    return null;
  }
}

const nameOf = (claims: JWTPayload, email: string) => {
  const n = typeof claims.name === "string" ? claims.name.trim().slice(0, 200) : "";
  return n || email.split("@")[0];
};

/**
 * Checks the provider's answer (`callbackUrl`: the URL the browser came back
 * on) against the flow cookie, exchanges the code, verifies the id token and
 * signs the person in or refuses, recording either in auth_events (and a
 * sign-in in the org's audit log).
 */
export async function completeSsoSignIn(input: { flowCookie: string | undefined; callbackUrl: URL; ip: string }, db: Tx = getDb()): Promise<SsoOutcome> {
  const flow = readFlow(input.flowCookie);
  const refuse = async (reason: SsoFailure, detail: { email?: string; check?: string } = {}): Promise<SsoOutcome> => {
    log.warn({ event: "sso_refused", reason, orgId: flow?.orgId, code: detail.check }, "single sign-on refused");
    await recordAuthEvent(db, { kind: "sso_failure", email: detail.email ?? null, ip: input.ip });
    return { ok: false, reason, orgId: flow?.orgId };
  };
  if (!flow) return refuse("sso_expired");
  const provider = await orgProvider(db, flow.orgId);
  // The configuration changed (or was removed) while the person was away: start again.
  if (!provider || provider.issuer !== flow.issuer || provider.clientId !== flow.clientId) return refuse("sso_expired");

  let as: oauth.AuthorizationServer;
  try {
    as = await discover(provider.issuer);
  } catch (err) {
    return refuse("sso_unavailable", { check: (err as Error)?.name });
  }
  const client: oauth.Client = { client_id: provider.clientId };
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, input.callbackUrl, flow.state);
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError) return refuse("sso_denied", { check: err.error });
    return refuse("sso_invalid", { check: (err as { code?: string })?.code ?? "state" });
  }

  let claims: JWTPayload;
  try {
    const res = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(provider.clientSecret), params, ssoRedirectUri(), flow.verifier, {
      [oauth.allowInsecureRequests]: insecureAllowed(provider.issuer),
      signal: AbortSignal.timeout(10_000),
    });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: flow.nonce, requireIdToken: true });
    if (!as.jwks_uri || !tokens.id_token) return refuse("sso_invalid", { check: "jwks_uri" });
    const verified = await jwtVerify(tokens.id_token, keySet(as.jwks_uri), { issuer: as.issuer, audience: provider.clientId });
    claims = verified.payload;
    // Checked twice on purpose (oauth4webapi did too): the nonce binds this token to this browser's flow.
    if (claims.nonce !== flow.nonce) return refuse("sso_invalid", { check: "nonce" });
    // Providers that keep the id token small (OpenID Connect Core 5.4) give the email from userinfo, for the same subject.
    if (typeof claims.email !== "string" && as.userinfo_endpoint) {
      const info = await oauth.processUserInfoResponse(
        as,
        client,
        claims.sub!,
        await oauth.userInfoRequest(as, client, tokens.access_token, {
          [oauth.allowInsecureRequests]: insecureAllowed(provider.issuer),
          signal: AbortSignal.timeout(10_000),
        }),
      );
      claims = { ...claims, email: info.email, email_verified: info.email_verified, name: claims.name ?? info.name };
    }
  } catch (err) {
    const e = err as { code?: string; name?: string; error?: string };
    if (e?.name === "TimeoutError" || e?.code === "ECONNREFUSED") return refuse("sso_unavailable", { check: e.name });
    return refuse("sso_invalid", { check: e?.error ?? e?.code ?? e?.name });
  }

  const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  if (!email || !SignInSchema.shape.email.safeParse(email).success) return refuse("sso_email_not_allowed", { check: "email" });
  // A provider that says the address is unverified does not vouch for it.
  if (claims.email_verified === false) return refuse("sso_email_not_allowed", { email, check: "email_verified" });
  const domain = email.split("@").pop()!;
  // An org's provider speaks for the org's own domains only, never for another org's people.
  const [own] = await db
    .select({ domain: ssoDomains.domain })
    .from(ssoDomains)
    .where(and(eq(ssoDomains.orgId, flow.orgId), eq(ssoDomains.domain, domain)));
  if (!own) return refuse("sso_email_not_allowed", { email, check: "domain" });

  const outcome = await db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: users.id, disabledAt: users.disabledAt, sessionVersion: users.sessionVersion, support: supportStaff.userId })
      .from(users)
      .leftJoin(supportStaff, eq(supportStaff.userId, users.id))
      .where(eq(users.email, email))
      .for("update", { of: users });
    // Support staff sign in with a password and their second factor, never through a customer's provider.
    if (existing && (existing.disabledAt || existing.support)) return null;
    // Two first sign-ins of one new person at once: the second finds the row the first inserted.
    const user =
      existing ??
      (
        await tx
          .insert(users)
          .values({ email, name: nameOf(claims, email), passwordHash: null })
          .onConflictDoNothing()
          .returning({ id: users.id, sessionVersion: users.sessionVersion })
      )[0] ??
      (await tx.select({ id: users.id, sessionVersion: users.sessionVersion }).from(users).where(eq(users.email, email)))[0];
    const joined = await tx
      .insert(memberships)
      .values({ orgId: flow.orgId, userId: user.id, role: "member" })
      .onConflictDoNothing()
      .returning({ userId: memberships.userId });
    const audit = { actorType: "user" as const, actorId: user.id, actorLabel: email, orgId: flow.orgId, reason: null, ticketRef: null };
    if (joined.length) await appendAudit(tx, { ...audit, action: "member.joined", before: null, after: { email, role: "member", via: "sso" } });
    await appendAudit(tx, { ...audit, action: "sso.signed_in", before: null, after: { userId: user.id, issuer: provider.issuer, newUser: !existing } });
    await recordAuthEvent(tx, { kind: "sso_sign_in", email, userId: user.id, ip: input.ip });
    return { userId: user.id, sessionVersion: user.sessionVersion, joined: joined.length > 0 };
  });
  if (!outcome) return refuse("sso_account_unavailable", { email, check: "account" });
  return { ok: true, ...outcome, orgId: flow.orgId, next: flow.next };
}

/**
 * A real OpenID Provider (`oidc-provider`, the certified Node implementation)
 * on 127.0.0.1, for the single sign-on tests: discovery, JWKS, authorization
 * with PKCE required, the token endpoint, id tokens signed with a key this
 * helper made. Its sign-in page is one form ("Email", "Sign in") that signs
 * in whoever is typed (prefilled with the login_hint); consent is implied.
 *
 * `tamper` makes the token endpoint misbehave for real: the id token it
 * answers is re-signed with the provider's own key but for another audience
 * or with another nonce, or signed with a key that is not in its JWKS.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import Provider from "oidc-provider";

export type Tamper = "audience" | "nonce" | "foreign_key" | null;

export type TestIdentityProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Misbehaviour of the token endpoint from now on. */
  tamper: Tamper;
  /** Claims the provider asserts beyond sub/email/name (e.g. `{ email_verified: false }`). */
  extraClaims: Record<string, unknown>;
  /** The paths asked of the provider, in order (discovery and JWKS caching show here). */
  requests: string[];
  /** Follows an authorization URL as a browser would, signs in as `email` on the provider's form, and returns the URL it sends the browser back to. */
  signInAs: (authorizeUrl: string, email: string) => Promise<URL>;
  close: () => Promise<void>;
};

type InteractionCtx = { uid: string; params: Record<string, unknown>; prompt: { name: string } };
type Ctx = { path: string; body: unknown; method: string };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (d) => (data += d));
    req.on("end", () => resolve(new URLSearchParams(data)));
    req.on("error", reject);
  });
}

export async function startTestIdentityProvider(options: {
  redirectUri: string;
  clientId?: string;
  clientSecret?: string;
  /** Unset: a free port. */
  port?: number;
}): Promise<TestIdentityProvider> {
  const clientId = options.clientId ?? "zdr-console-test";
  const clientSecret = options.clientSecret ?? "test-client-secret-0123456789";
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: "test-key-1", alg: "RS256", use: "sig" };
  const foreign = (await generateKeyPair("RS256")).privateKey;

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const state: { tamper: Tamper; extraClaims: Record<string, unknown> } = { tamper: null, extraClaims: {} };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [jwk] },
    pkce: { required: () => true },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ["test-idp-cookie-key-0123456789"] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ sub, email: sub, email_verified: true, name: `SSO ${sub.split("@")[0]}`, ...state.extraClaims }),
    }),
    // Consent is implied: the org's IT registered this client for its people.
    loadExistingGrant: async (ctx: {
      oidc: {
        client: { clientId: string };
        session: { accountId: string; grantIdFor: (c: string) => string | undefined };
        result?: { consent?: { grantId?: string } };
        provider: { Grant: { find: (id: string) => Promise<unknown>; new (p: object): { addOIDCScope: (s: string) => void; save: () => Promise<string> } } };
      };
    }) => {
      const id = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (id) return ctx.oidc.provider.Grant.find(id);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  // The token endpoint answers for real, then the tamper (if any) replaces its id token.
  provider.use(async (ctx: Ctx, next: () => Promise<void>) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path !== "/token" || !state.tamper || !body?.id_token) return;
    const claims = decodeJwt(body.id_token);
    if (state.tamper === "audience") claims.aud = "another-client";
    if (state.tamper === "nonce") claims.nonce = "not-the-nonce-of-this-flow";
    const key = state.tamper === "foreign_key" ? foreign : privateKey;
    body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: jwk.kid }).sign(key);
  });

  const requests: string[] = [];
  const callback = provider.callback();
  server.on("request", (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    requests.push(url.pathname);
    const m = /^\/interaction\/([^/]+)$/.exec(url.pathname);
    if (!m) return callback(req, res);
    void (async () => {
      try {
        const details = (await provider.interactionDetails(req, res)) as InteractionCtx;
        if (req.method === "POST") {
          const form = await readForm(req);
          const email = (form.get("email") ?? "").trim().toLowerCase();
          await provider.interactionFinished(req, res, { login: { accountId: email } }, { mergeWithLastSubmission: false });
          return;
        }
        const hint = typeof details.params.login_hint === "string" ? details.params.login_hint : "";
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(`<!doctype html><html lang="en"><head><title>Test identity provider</title></head><body><main>
<h1>Test identity provider</h1>
<form method="post" action="/interaction/${escapeHtml(details.uid)}">
<label for="email">Email</label> <input id="email" name="email" type="email" value="${escapeHtml(hint)}">
<button type="submit">Sign in</button>
</form></main></body></html>`);
      } catch {
        res.writeHead(400, { "content-type": "text/plain" });
        res.end("interaction failed");
      }
    })();
  });

  async function signInAs(authorizeUrl: string, email: string): Promise<URL> {
    const jar = new Map<string, string>();
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const keep = (res: Response) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const i = pair.indexOf("=");
        jar.set(pair.slice(0, i), pair.slice(i + 1));
      }
    };
    let url = new URL(authorizeUrl);
    let body: string | undefined;
    for (let hop = 0; hop < 10; hop++) {
      if (url.href.startsWith(options.redirectUri)) return url;
      const res = await fetch(url, {
        method: body ? "POST" : "GET",
        redirect: "manual",
        headers: { cookie: cookieHeader(), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
        body,
      });
      keep(res);
      body = undefined;
      const location = res.headers.get("location");
      if (location) {
        url = new URL(location, url);
        continue;
      }
      if (res.status === 200 && url.pathname.startsWith("/interaction/")) {
        body = new URLSearchParams({ email }).toString();
        continue;
      }
      throw new Error(`the test identity provider answered ${res.status} at ${url.pathname}: ${(await res.text()).slice(0, 300)}`);
    }
    throw new Error("too many redirects at the test identity provider");
  }

  return {
    issuer,
    clientId,
    clientSecret,
    get tamper() {
      return state.tamper;
    },
    set tamper(t: Tamper) {
      state.tamper = t;
    },
    get extraClaims() {
      return state.extraClaims;
    },
    set extraClaims(c: Record<string, unknown>) {
      state.extraClaims = c;
    },
    requests,
    signInAs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The proxy redirects and sets headers; it is never the guard. Every page,
 * route handler and action checks the principal itself (lib/auth/), so a
 * bypassed proxy opens nothing. It therefore only looks for a session
 * cookie (pages validate the session) and needs no secret or database.
 *
 * - A Content-Security-Policy with a per-request nonce (Next applies it to
 *   its own scripts).
 * - Cross-site state changes refused (foreign, `null` or missing Origin).
 *
 * The bearer-token machine API (/api/v1/) is left out of the matcher: it has
 * no cookies to protect, serves JSON that no page embeds, and running the
 * proxy cost about a quarter of each of its requests.
 * - Pages of signed-out visitors redirect to /login.
 */
import { NextResponse, type NextRequest } from "next/server";
import { crossSiteRefusal, isSameOrigin, isStateChanging, REQUEST_PATH_HEADER } from "@/lib/http/origin";

const PUBLIC_PAGES = ["/login", "/forgot-password", "/reset-password", "/docs/api", "/invite", "/.well-known", "/verify"];

function hasSessionCookie(req: NextRequest): boolean {
  return req.cookies.getAll().some((c) => /^(__Secure-)?authjs\.session-token(\.\d+)?$/.test(c.name));
}

function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Recharts and Next's route announcer set inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export default function proxy(req: NextRequest) {
  const { pathname } = req.nextUrl;
  if (isStateChanging(req.method) && !isSameOrigin(req.headers, req.nextUrl.origin)) {
    return crossSiteRefusal();
  }

  const isPage = !pathname.startsWith("/api/");
  const isPublic = PUBLIC_PAGES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
  if (isPage && !isPublic && !hasSessionCookie(req)) {
    const login = new URL("/login", req.nextUrl.origin);
    if (pathname !== "/") login.searchParams.set("next", pathname + req.nextUrl.search);
    return NextResponse.redirect(login);
  }

  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(req.headers);
  headers.set("x-nonce", nonce);
  headers.set(REQUEST_PATH_HEADER, pathname + req.nextUrl.search);
  headers.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  return res;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|favicon.svg|robots.txt|api/v1/).*)"],
};

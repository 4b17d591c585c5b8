/**
 * Cross-site request refusal for cookie-authenticated state changes: the
 * Origin header must be this app's own origin. A foreign, `null` or missing
 * Origin is refused. Bearer-token API calls (/api/v1) carry no cookies and
 * are exempt.
 */
import { env } from "@/lib/env";
import { problemResponse } from "./problem";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** `requestOrigin` is the origin the request was addressed to (scheme://host). */
export function isSameOrigin(headers: Headers, requestOrigin: string): boolean {
  const origin = headers.get("origin");
  if (!origin || origin === "null") return false;
  let appOrigin: string | null = null;
  try {
    appOrigin = new URL(env().APP_URL).origin;
  } catch {
    appOrigin = null;
  }
  return origin === requestOrigin || origin === appOrigin;
}

export function crossSiteRefusal(): Response {
  return problemResponse("forbidden", "Cross-site request refused: the Origin header is missing or is not this application's.");
}

/** The header the proxy sets to a page's path and query (never the client's own), so a sign-in can bring the user back to it. */
export const REQUEST_PATH_HEADER = "x-zdr-path";

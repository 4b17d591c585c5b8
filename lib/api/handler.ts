/**
 * The one wrapper every machine API route goes through: bearer token, rate
 * limit, errors as problem+json. The handler's domain function checks the
 * scope itself (lib/auth/authorize.ts); this wrapper only establishes who is
 * calling. Log lines name the route, status and error code, never anything
 * of the request: not the body, not a value, not a driver's error message.
 */
import type { ServicePrincipal } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { authenticateServiceToken } from "./auth";
import { errorAnswer, errorResponse, PayloadTooLarge, type PlainResponse } from "@/lib/http/problem";
import { takeRateToken, type RateClass } from "./rate-limit";
import { logger } from "@/lib/log";

const apiLog = logger("api");

export const MAX_BODY_BYTES = 2 * 1024 * 1024;

type Context<P> = { params: Promise<P> };
type Handler<P> = (args: { request: Request; principal: ServicePrincipal; params: P }) => Promise<Response>;

/** Who is calling, within the token's rate limit: 401, 429 or 503 otherwise. */
async function admit(authorization: string | null, rateClass: RateClass): Promise<ServicePrincipal> {
  const principal = await authenticateServiceToken(authorization);
  takeRateToken(principal.tokenId, rateClass);
  return principal;
}

export function serviceRoute<P = Record<string, never>>(options: { route: string; rateClass: RateClass }, handler: Handler<P>) {
  return async (request: Request, context: Context<P>): Promise<Response> => {
    let response: Response;
    try {
      const principal = await admit(request.headers.get("authorization"), options.rateClass);
      response = await handler({ request, principal, params: await context.params });
    } catch (err) {
      response = errorResponse(err);
      logFailure(request.method, options.route, response.status, err);
    }
    return response;
  };
}

/**
 * The same wrapper around a transport-neutral answer, for an endpoint that is
 * also served outside Next (the policy lookup, see server.ts).
 */
export async function serviceAnswer(
  options: { route: string; rateClass: RateClass; method: string; authorization: string | null },
  handler: (principal: ServicePrincipal) => Promise<PlainResponse>,
): Promise<PlainResponse> {
  try {
    return await handler(await admit(options.authorization, options.rateClass));
  } catch (err) {
    return failureAnswer(options, err);
  }
}

/** An error as the problem the client gets, logged without anything of the request. */
export function failureAnswer(options: { route: string; method: string }, err: unknown): PlainResponse {
  const answer = errorAnswer(err);
  logFailure(options.method, options.route, answer.status, err);
  return answer;
}

function logFailure(method: string, route: string, status: number, err: unknown): void {
  if (err instanceof PayloadTooLarge) return void apiLog.warn({ method, route, status, code: "too_large" }, "request refused");
  if (err instanceof AppError) {
    apiLog.warn({ method, route, status, code: err.code, fields: err.details?.fields?.length }, "request refused");
    return;
  }
  // A driver error's message can quote a value; its class and SQLSTATE cannot.
  const e = err as { name?: string; code?: unknown; cause?: { code?: unknown } };
  const sqlstate = typeof e?.cause?.code === "string" ? e.cause.code : typeof e?.code === "string" ? e.code : "-";
  apiLog.error({ method, route, status, name: e?.name ?? "unknown", sqlstate }, "internal error");
}

/**
 * The request's JSON body, refused with 413 past MAX_BODY_BYTES before any of
 * it is parsed (by Content-Length when sent, and by counting as it streams).
 */
export async function readJsonBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw new PayloadTooLarge(maxBytes);
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new AppError("invalid", "body: Content-Type must be application/json", { fields: ["content-type"] });
  }
  if (!request.body) throw new AppError("invalid", "body: required", { fields: ["body"] });
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error: never pass it on.
    throw new AppError("invalid", "body: not valid JSON", { fields: ["body"] });
  }
}

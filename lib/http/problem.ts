/**
 * RFC 9457 problem details: every error of the machine API has this shape.
 * A problem names fields by JSON path and never carries a value of the request.
 */
import { AppError, STATUS, type ErrorCode, type FieldProblem } from "@/lib/errors";

export type { FieldProblem };

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode | "too_large" | "internal";
  errors?: FieldProblem[];
};

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

const TITLES: Record<Problem["code"], string> = {
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  not_found: "Not found",
  invalid: "Invalid request",
  conflict: "Conflict",
  rate_limited: "Too many requests",
  unavailable: "Service unavailable",
  too_large: "Payload too large",
  internal: "Internal error",
};

/**
 * An answer of the machine API before it meets a transport: the Next route
 * handlers wrap it in a web Response, the production server's fast path
 * (server.ts) writes it straight to node:http.
 */
export type PlainResponse = { status: number; headers: Record<string, string>; body: string | null };

export function toResponse(answer: PlainResponse): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

export function problemAnswer(
  code: Problem["code"],
  detail: string,
  options: { status?: number; errors?: FieldProblem[]; headers?: Record<string, string> } = {},
): PlainResponse {
  const status = options.status ?? (code === "too_large" ? 413 : code === "internal" ? 500 : STATUS[code]);
  const body: Problem = { type: `/problems/${code.replace(/_/g, "-")}`, title: TITLES[code], status, detail, code };
  if (options.errors) body.errors = options.errors;
  const headers: Record<string, string> = { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store", ...options.headers };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="zdr-console"';
  return { status, headers, body: JSON.stringify(body) };
}

export function problemResponse(...args: Parameters<typeof problemAnswer>): Response {
  return toResponse(problemAnswer(...args));
}

/** An error of the domain as a problem; anything else is a bare 500 that says nothing of the cause. */
export function errorAnswer(err: unknown): PlainResponse {
  if (err instanceof PayloadTooLarge) {
    return problemAnswer("too_large", err.message, { errors: [{ path: "$", problem: `larger than ${err.maxBytes} bytes` }] });
  }
  if (err instanceof AppError) {
    const headers: Record<string, string> = {};
    if (err.details?.retryAfterSeconds !== undefined) headers["retry-after"] = String(err.details.retryAfterSeconds);
    const errors = err.details?.problems ?? err.details?.fields?.map((path) => ({ path, problem: "invalid" }));
    return problemAnswer(err.code, err.message, { headers, errors });
  }
  if (isDatabaseUnavailable(err)) {
    return problemAnswer("unavailable", "The database cannot be reached right now. Nothing was stored; retry the same request.", {
      headers: { "retry-after": "1" },
    });
  }
  return problemAnswer("internal", "The request could not be completed. Nothing was stored.");
}

export function errorResponse(err: unknown): Response {
  return toResponse(errorAnswer(err));
}

/**
 * A lost or refused database connection (down, restarting, failing over), by
 * the driver's code or a SQLSTATE of class 08 or 57P, anywhere in the cause
 * chain. A 503 tells the fleet to retry the batch; a 500 would say it was bad.
 */
const PG_CONNECTION_LOST =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end)/;

export function isDatabaseUnavailable(err: unknown): boolean {
  let e = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^(CONNECTION_|CONNECT_TIMEOUT|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|08|57P0)/.test(code)) return true;
    // node-postgres reports a lost or timed-out connection with a fixed message and no code.
    const message = (e as { message?: unknown }).message;
    if (!code && typeof message === "string" && PG_CONNECTION_LOST.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** A body over the limit, refused before it is parsed. */
export class PayloadTooLarge extends Error {
  constructor(public readonly maxBytes: number) {
    super(`The body is larger than the limit of ${maxBytes} bytes; send smaller batches. Nothing was stored.`);
    this.name = "PayloadTooLarge";
  }
}

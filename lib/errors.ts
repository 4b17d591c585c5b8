/**
 * Typed errors of the domain. Route handlers and actions map `code` to an
 * HTTP status and a message that names what is wrong, never content.
 */
export type ErrorCode =
  | "unauthorized" // no or bad credentials: 401
  | "forbidden" // authenticated, not allowed, and existence is not secret: 403
  | "not_found" // also for another tenant's ids: 404 hides existence
  | "invalid" // bad input: 400, with field paths
  | "conflict" // stale version or illegal transition: 409
  | "rate_limited" // 429 with Retry-After
  | "unavailable"; // dependency down: 503

export const STATUS: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid: 400,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: { fields?: string[]; retryAfterSeconds?: number; current?: unknown },
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export const notFound = (what = "Not found") => new AppError("not_found", what);
export const forbidden = (why = "You are not allowed to do this") => new AppError("forbidden", why);

/**
 * Parses input at the edge of the domain: a failure becomes an `invalid`
 * AppError naming the fields and rules, never echoing what was sent.
 */
export function parseInput<T extends import("zod").ZodType>(schema: T, input: unknown): import("zod").infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const fields = [...new Set(r.error.issues.map((i) => i.path.join(".") || "input"))];
    throw new AppError("invalid", r.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "), { fields });
  }
  return r.data;
}

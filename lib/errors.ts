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
  if (r.success) return r.data;
  const problems: { field: string; message: string }[] = [];
  for (const i of r.error.issues) {
    const at = i.path.map(String);
    if (i.code === "unrecognized_keys") {
      // An unknown field is named by its path (cut short), never by its value.
      for (const k of i.keys) problems.push({ field: [...at, k.slice(0, 64)].join("."), message: "unknown field" });
    } else {
      problems.push({ field: at.join(".") || "input", message: i.message });
    }
  }
  const fields = [...new Set(problems.map((p) => p.field))];
  throw new AppError("invalid", problems.map((p) => `${p.field}: ${p.message}`).join("; "), { fields });
}

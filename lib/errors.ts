/**
 * The one error path of the domain. Functions in lib/ throw an AppError with
 * a code; the machine API turns it into problem+json (lib/api/problem.ts),
 * server actions into an ActionResult (lib/actions/action.ts), pages into
 * the 404 or error page. Messages name what is wrong, never what was sent.
 */
import type { z } from "zod";

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

/** One offending field: its path (a form field name, or a JSON path like `$.events[3].orgId`) and what is wrong with it. */
export type FieldProblem = { path: string; problem: string };

export type ErrorDetails = {
  /** The offending fields' paths. */
  fields?: string[];
  /** The same fields, each with what is wrong. */
  problems?: FieldProblem[];
  retryAfterSeconds?: number;
  /** A conflict's current state, for the caller to show. */
  current?: unknown;
};

/** Where an error keeps the tags of its classes (a registered symbol: the same in every copy of this module). */
const CLASS_TAGS = Symbol.for("zdr.errors.classTags");
type Tagged = { [CLASS_TAGS]?: readonly string[] };

/**
 * `instanceof` by tag, not by prototype: Next bundles lib/ into several chunks
 * and server.ts loads it once more, so an error made by one copy (the usage
 * store lives on globalThis, lib/process-state.ts) meets another copy's class
 * where it is caught. Each class below names itself with a static `tag`.
 */
export class AppError extends Error {
  static readonly tag: string = "AppError";
  static [Symbol.hasInstance](x: unknown): boolean {
    const tags = x !== null && typeof x === "object" ? (x as Tagged)[CLASS_TAGS] : undefined;
    return Array.isArray(tags) ? tags.includes(this.tag) : Function.prototype[Symbol.hasInstance].call(this, x);
  }
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = "AppError";
    const tags: string[] = [];
    for (let c: unknown = new.target; typeof c === "function" && Object.hasOwn(c, "tag"); c = Object.getPrototypeOf(c)) tags.push((c as typeof AppError).tag);
    Object.defineProperty(this, CLASS_TAGS, { value: tags });
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export const notFound = (what = "Not found") => new AppError("not_found", what);
export const forbidden = (why = "You are not allowed to do this") => new AppError("forbidden", why);

/** Bad input, with each offending field and a fixed description of what is wrong. */
export class ValidationError extends AppError {
  static readonly tag: string = "ValidationError";
  constructor(
    message: string,
    public readonly problems: FieldProblem[],
  ) {
    super("invalid", message, { fields: problems.map((p) => p.path), problems });
    this.name = "ValidationError";
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether an id has the shape of a UUID, checked before it reaches a query: PostgreSQL
 * refuses a malformed one with an error (a 500), where the caller means "not found" or "invalid".
 */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

const SAFE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A JSON path that names a field without quoting anything the client could fill with content. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = "$";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && SAFE_KEY.test(seg)) out += `.${seg}`;
    else out += `[<a key of ${String(seg).length} characters>]`;
  }
  return out;
}

/** A form field's name: the path joined with dots; an unsafe key is described, never quoted. */
function fieldPath(path: readonly PropertyKey[]): string {
  return (
    path
      .map((seg) => (typeof seg === "number" || (typeof seg === "string" && SAFE_KEY.test(seg)) ? String(seg) : `<a key of ${String(seg).length} characters>`))
      .join(".") || "input"
  );
}

/** Fixed wording per kind of problem, for the machine API: zod's own messages may quote the input. */
function fixedWording(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return "unknown field";
    case "invalid_type":
      return issue.input === undefined ? "required" : `must be of type ${issue.expected}`;
    case "invalid_value":
      return "not one of the allowed values";
    case "invalid_format":
      return issue.format === "regex" ? "not a valid identifier" : `must be a valid ${issue.format}`;
    case "too_small":
      return issue.origin === "array" ? `must have at least ${issue.minimum} item(s)` : `must be at least ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array" ? `must have at most ${issue.maximum} items` : `must be at most ${issue.maximum}`;
    default:
      return "invalid";
  }
}

/**
 * The one zod-issue mapper: every issue as a FieldProblem. Paths name fields,
 * never values; an unknown field is named by its (sanitised) key. `json`
 * gives JSON paths and fixed wording (the machine API); `form` gives field
 * names and the schema's own messages, which our schemas write for people.
 */
export function issueProblems(error: z.ZodError, style: "json" | "form" = "form", unknownField = "unknown field"): FieldProblem[] {
  const out: FieldProblem[] = [];
  const path = style === "json" ? jsonPath : fieldPath;
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: path([...issue.path, key]), problem: unknownField });
    } else {
      const required = issue.code === "invalid_type" && issue.input === undefined;
      out.push({ path: path(issue.path), problem: style === "json" || (required && !issue.message) ? fixedWording(issue) : issue.message });
    }
  }
  return out;
}

/**
 * Parses input at the edge of the domain: a failure becomes a ValidationError
 * naming the fields and rules, never echoing what was sent.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  options: { style?: "json" | "form"; message?: (problems: FieldProblem[]) => string } = {},
): z.infer<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const problems = issueProblems(r.error, options.style ?? "form");
  throw new ValidationError(options.message?.(problems) ?? problems.map((p) => `${p.path}: ${p.problem}`).join("; "), problems);
}

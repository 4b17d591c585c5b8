/**
 * What every server action returns to its form (lib/actions/action.ts makes
 * it). Plain data, no server imports: client components read it.
 */
export type ActionResult<D = undefined> = {
  status: "idle" | "ok" | "error";
  /** One sentence for the form's status line; success messages name the organization. */
  message?: string;
  /** An error per form field, shown next to the field. */
  fieldErrors?: Record<string, string>;
  /** The kind of failure (lib/errors.ts codes): a client may offer "sign in again" for `unauthorized`. */
  code?: "unauthorized" | "forbidden" | "not_found" | "invalid" | "conflict" | "rate_limited" | "unavailable" | "internal";
  /** Someone else changed the state first: the page now shows the current one. */
  conflict?: boolean;
  /**
   * What was typed, given back when the action fails: React 19 resets a
   * form after its action, and nobody should type a reason twice. Never a
   * password.
   */
  values?: Record<string, string | string[]>;
  /** What a successful action hands back to its form (a new token, shown once). */
  data?: D;
};

/** A server action made by lib/actions/action.ts: used with useActionState (previous result, form) or as a plain `<form action>` (the form alone). */
export type ServerAction<D = undefined> = ((form: FormData) => Promise<void>) & ((prev: ActionResult<D>, form: FormData) => Promise<ActionResult<D>>);

export const IDLE: ActionResult<never> = { status: "idle" };

/** The value a field had when the form was sent, for `defaultValue` after a failure. */
export function typed(result: ActionResult<unknown>, field: string, fallback = ""): string {
  const v = result.status === "error" ? result.values?.[field] : undefined;
  return typeof v === "string" ? v : fallback;
}

/** All values of a multi-valued field (checkboxes), for `defaultChecked` after a failure. */
export function typedAll(result: ActionResult<unknown>, field: string): string[] | undefined {
  if (result.status !== "error") return undefined;
  const v = result.values?.[field];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * The one server-action wrapper. Every server action is
 *
 *   export const inviteAction = action(
 *     { operation: "members.manage", who: "customer", schema: InviteForm, revalidate: "/members" },
 *     async ({ actor, input, org }) => ({ message: `Invitation sent … ${org.name}` }),
 *   );
 *
 * and the wrapper, in this order: resolves the signed-in principal; for a
 * customer action, refuses a form rendered for another organization than
 * the session's active one (a stale tab after switching org elsewhere);
 * authorizes the operation (lib/auth/permissions.ts; the domain function
 * checks again); parses the FormData with the schema lib/ exports; calls the
 * domain; and maps every outcome to one ActionResult. A failed action gives
 * back what was typed (passwords excepted), so nothing has to be typed twice.
 */
import { revalidatePath } from "next/cache";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { authorize, type Operation } from "@/lib/auth/permissions";
import type { UserPrincipal } from "@/lib/auth/principal";
import { getCurrentUser } from "@/lib/auth/session";
import { AppError, parseInput } from "@/lib/errors";
import type { ActionResult, ServerAction } from "./result";
import { logger } from "@/lib/log";

type Who = "customer" | "support" | "user" | "anyone";
type ActorOf<W extends Who> = W extends "anyone" ? UserPrincipal | null : UserPrincipal;
type OrgOf<W extends Who> = W extends "customer" ? { id: string; name: string } : null;

export type ActionContext<W extends Who, I> = { actor: ActorOf<W>; input: I; org: OrgOf<W> };
export type ActionOutcome<D> = { message: string; data?: D; revalidate?: string[] };

export type ActionSpec<S extends z.ZodType, W extends Who> = {
  /** The row of the permission table; null where the credential is the input itself (an invitation link) or the caller's own session. */
  operation: Operation | null;
  who: W;
  schema: S;
  /** Fields never given back to the form (passwords). */
  secret?: readonly string[];
  /** Paths to revalidate after success; "layout" refreshes every page (the emblem, the notice count). */
  revalidate?: string | readonly string[];
};

/** The form's fields as strings (a repeated name becomes a list); React's own `$ACTION_…` fields and files are dropped. */
export function formValues(form: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of form.entries()) {
    if (k.startsWith("$ACTION") || typeof v !== "string") continue;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function refuse(code: NonNullable<ActionResult["code"]>, message: string, values: Record<string, string | string[]>): ActionResult<never> {
  return { status: "error", code, message, values };
}

/** Forms carry ids and the version they showed as hidden inputs, by this naming convention. */
const isHiddenField = (field: string) => /Id$/.test(field) || field === "expectedVersion" || field === "token";

/** Every error of the domain as the form's result; anything else is logged by class and told as "try again". */
export function errorResult(err: unknown, values: Record<string, string | string[]>, where: string): ActionResult<never> {
  unstable_rethrow(err);
  if (!(err instanceof AppError)) {
    const e = err as { name?: string; code?: unknown };
    logger("action").error({ where, name: e?.name ?? "unknown", code: typeof e?.code === "string" ? e.code : undefined }, "internal error");
    return refuse("internal", "The change could not be completed, and nothing was changed. Try again in a moment.", values);
  }
  const fieldErrors: Record<string, string> = {};
  const hidden: string[] = [];
  for (const p of err.details?.problems ?? (err.details?.fields ?? []).map((path) => ({ path, problem: err.message }))) {
    const field = p.path.split(".")[0];
    fieldErrors[field] ??= p.problem;
    // A hidden input (an id, the version the page showed) has no place for its error: the message carries it.
    if (isHiddenField(field) && !hidden.includes(p.problem)) hidden.push(p.problem);
  }
  const invalid = err.code === "invalid" && Object.keys(fieldErrors).length > 0;
  const message = invalid ? ["Check the highlighted fields; nothing was changed.", ...hidden].join(" ") : err.message;
  return { status: "error", code: err.code, message, fieldErrors, values, conflict: err.code === "conflict" || undefined };
}

export function action<S extends z.ZodType, W extends Who, D = undefined>(
  spec: ActionSpec<S, W>,
  run: (ctx: ActionContext<W, z.infer<S>>) => Promise<ActionOutcome<D>>,
): ServerAction<D> {
  const where = spec.operation ?? spec.who;
  const wrapped = async (prev: ActionResult<D> | FormData, second?: FormData): Promise<ActionResult<D>> => {
    const all = formValues(second ?? (prev instanceof FormData ? prev : new FormData()));
    const values = Object.fromEntries(Object.entries(all).filter(([k]) => !spec.secret?.includes(k)));
    try {
      const user = await getCurrentUser();
      if (!user && spec.who !== "anyone") return refuse("unauthorized", "Your session has ended. Sign in again; nothing was changed.", values);
      let org: { id: string; name: string } | null = null;
      if (spec.who === "customer") {
        const rendered = typeof all.orgId === "string" ? all.orgId : "";
        const active = user!.memberships.find((m) => m.orgId === user!.orgId);
        const formOrg = user!.memberships.find((m) => m.orgId === rendered);
        if (!active) return refuse("not_found", "You are not a member of any organization; nothing was changed.", values);
        if (!formOrg)
          return refuse(
            "not_found",
            `This form was not opened for ${active.orgName}, and you are not a member of the organization it was opened for. Nothing was changed.`,
            values,
          );
        if (formOrg.orgId !== active.orgId) {
          return refuse(
            "conflict",
            `This page was opened for ${formOrg.orgName}, but you are now working in ${active.orgName} (switched in another tab or window). ` +
              `Nothing was changed in either organization. Reload the page to continue in ${active.orgName}.`,
            values,
          );
        }
        org = { id: active.orgId, name: active.orgName };
      }
      if (spec.operation) authorize(user, spec.operation, { orgId: org?.id });
      const input = parseInput(spec.schema, all);
      const outcome = await run({ actor: user, input, org } as ActionContext<W, z.infer<S>>);
      const paths = [...(typeof spec.revalidate === "string" ? [spec.revalidate] : (spec.revalidate ?? [])), ...(outcome.revalidate ?? [])];
      for (const p of paths) revalidatePath(p === "layout" ? "/" : p, p === "layout" ? "layout" : undefined);
      return { status: "ok", message: outcome.message, data: outcome.data };
    } catch (err) {
      return errorResult(err, values, where);
    }
  };
  // What the permission test reads: which row of the table this action is, and for whom.
  return Object.assign(wrapped, { operation: spec.operation, who: spec.who }) as unknown as ServerAction<D>;
}

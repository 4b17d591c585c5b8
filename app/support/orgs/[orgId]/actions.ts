"use server";
/**
 * The account page's retention actions. Each parses its form with zod, then
 * calls the domain function with the signed-in support principal; the domain
 * checks the role again, so these are never the only guard.
 */
import { action } from "@/lib/actions/action";
import { setUsageRetentionDays, SetUsageRetentionInput } from "@/lib/removal/retention-window";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireSupport } from "@/lib/auth/session";
import type { UserPrincipal } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import {
  disableZeroRetention,
  enableZeroRetention,
  liftRestriction,
  restrictOrganization,
} from "@/lib/retention/service";
import { RESTRICTION_REASONS } from "@/lib/vocabulary";
import type { ActionState } from "@/components/support/action-state";

const base = z.object({
  orgId: z.uuid("missing organization"),
  expectedVersion: z.string().regex(/^\d{1,9}$/, "missing version").transform(Number),
  ticketRef: z
    .string()
    .trim()
    .min(1, "Enter the ticket reference (for example SUP-1234)")
    .max(64, "At most 64 characters")
    .regex(/^[A-Za-z0-9][A-Za-z0-9._#/-]*$/, "Use letters, digits and . _ # / - only"),
  confirm: z.literal("yes", { error: "Tick the box to confirm this change" }),
});
const reason = z.string().trim().min(3, "Give a reason of at least 3 characters").max(1000, "At most 1000 characters");

const EnableForm = base.extend({ reason, scope: z.enum(["all_requests", "per_request"], { error: "Choose a scope" }) });
const ReasonForm = base.extend({ reason });
const RestrictForm = base.extend({
  category: z.enum(RESTRICTION_REASONS, { error: "Choose a reason category" }),
  note: z.string().trim().min(3, "Write a note of at least 3 characters for the customer's admins").max(1000, "At most 1000 characters"),
});

function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const k = String(issue.path[0] ?? "form");
    out[k] ??= issue.message;
  }
  return out;
}

/** Parse, act as the signed-in support user, map domain errors to the form. */
async function run<T extends z.ZodType>(
  schema: T,
  formData: FormData,
  act: (actor: UserPrincipal, input: z.infer<T>) => Promise<unknown>,
  done: string,
  /** Domain field name → form field name, where they differ. */
  fieldMap: Record<string, string> = {},
): Promise<ActionState> {
  const actor = await requireSupport();
  const raw = Object.fromEntries([...formData.entries()].filter(([, v]) => typeof v === "string"));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { status: "error", message: "Check the highlighted fields.", errors: fieldErrors(parsed.error) };
  try {
    await act(actor, parsed.data);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const errors: Record<string, string> = {};
    for (const f of err.details?.fields ?? []) errors[fieldMap[f] ?? f] = err.message;
    return { status: "error", message: err.message, errors, conflict: err.code === "conflict" };
  } finally {
    revalidatePath(`/support/orgs/${(parsed.data as { orgId: string }).orgId}`);
  }
  return { status: "ok", message: done };
}

export async function enableAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  return run(EnableForm, formData, (actor, i) => enableZeroRetention(actor, { orgId: i.orgId, expectedVersion: i.expectedVersion, reason: i.reason, ticketRef: i.ticketRef, scope: i.scope }), "Zero Data Retention enabled; the org's admins are being notified.");
}

export async function disableAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  return run(ReasonForm, formData, (actor, i) => disableZeroRetention(actor, { orgId: i.orgId, expectedVersion: i.expectedVersion, reason: i.reason, ticketRef: i.ticketRef }), "Zero Data Retention turned off; the org's admins are being notified.");
}

export async function restrictAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  return run(RestrictForm, formData, (actor, i) => restrictOrganization(actor, { orgId: i.orgId, expectedVersion: i.expectedVersion, reason: i.category, note: i.note, ticketRef: i.ticketRef }), "ZDR restricted; the org's admins are being notified.", { reason: "category" });
}

export async function liftAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  return run(ReasonForm, formData, (actor, i) => liftRestriction(actor, { orgId: i.orgId, expectedVersion: i.expectedVersion, reason: i.reason, ticketRef: i.ticketRef }), "Restriction lifted; the org's admins are being notified.");
}

export const setUsageRetentionAction = action(
  { operation: "usage.retention.manage", who: "support", schema: SetUsageRetentionInput },
  async ({ actor, input }) => {
    const r = await setUsageRetentionDays(actor, input);
    return { message: `Usage retention window of ${r.orgName} is now ${r.after} days (was ${r.before}).`, revalidate: [`/support/orgs/${input.orgId}`] };
  },
);

/**
 * The support console's retention forms: each extends the input schema of
 * its operation (./service.ts) with what a person must add on a form: a
 * ticket reference, an explicit confirmation, and the version they saw (a
 * string on a form, checked as text before it becomes a number).
 */
import { z } from "zod";
import { RestrictionReasonSchema, ZdrScopeSchema } from "@/lib/vocabulary";
import { DisableInput, EnableInput, LiftInput, RestrictInput, TicketRef } from "./service";

const formFields = {
  expectedVersion: z
    .string()
    .regex(/^\d{1,9}$/, "The page is out of date; reload it")
    .transform(Number),
  ticketRef: z.string().trim().min(1, "Enter the ticket reference (for example SUP-1234)").pipe(TicketRef),
  confirm: z.literal("yes", { error: "Tick the box to confirm this change" }),
};
const reason = z.string().trim().min(3, "Give a reason of at least 3 characters").max(1000, "At most 1000 characters");

export const EnableForm = EnableInput.extend({ ...formFields, reason, scope: ZdrScopeSchema });
export const DisableForm = DisableInput.extend({ ...formFields, reason });
export const LiftForm = LiftInput.extend({ ...formFields, reason });
/** The form names the reason category `category` and the customer-facing text `note`. */
export const RestrictForm = RestrictInput.omit({ reason: true }).extend({
  ...formFields,
  category: RestrictionReasonSchema,
  note: z.string().trim().min(3, "Write a note of at least 3 characters for the customer's admins").max(1000, "At most 1000 characters"),
});

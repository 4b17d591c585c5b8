"use server";
import { action } from "@/lib/actions/action";
import { requestZeroRetention, RequestZeroRetentionInput } from "@/lib/retention/request";

// The state changed: every page (and its emblem) renders from it afresh.
export const requestZdrAction = action(
  { operation: "retention.request", who: "customer", schema: RequestZeroRetentionInput, revalidate: "layout" },
  async ({ actor, input, org }) => {
    await requestZeroRetention(actor, { ...input, orgId: org.id });
    return { message: `Request for ${org.name} sent. Support will confirm by email.` };
  },
);

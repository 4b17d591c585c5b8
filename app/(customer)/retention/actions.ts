"use server";
import { action } from "@/lib/actions/action";
import { requestZeroRetention, RequestZeroRetentionInput, withdrawZeroRetentionRequest, WithdrawZeroRetentionInput } from "@/lib/retention/request";

// The state changed: every page (and its emblem) renders from it afresh.
export const requestZdrAction = action(
  { operation: "retention.request", who: "customer", schema: RequestZeroRetentionInput, revalidate: "layout" },
  async ({ actor, input, org }) => {
    const { request } = await requestZeroRetention(actor, { ...input, orgId: org.id });
    return {
      message: `Request ${request.reference} for ${org.name} sent. A receipt is on its way to ${org.name}'s administrators; support will confirm by email.`,
    };
  },
);

export const withdrawZdrAction = action(
  { operation: "retention.request.withdraw", who: "customer", schema: WithdrawZeroRetentionInput, revalidate: "layout" },
  async ({ actor, input, org }) => {
    const { reference } = await withdrawZeroRetentionRequest(actor, { ...input, orgId: org.id });
    return { message: `Request ${reference} for ${org.name} withdrawn. Zero Data Retention stays off.` };
  },
);

"use server";

import { revalidatePath } from "next/cache";
import { requireCustomer } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { requestZeroRetention } from "@/lib/retention/request";
import type { RequestFormState } from "@/components/retention/request-form";

export async function requestZdrAction(_prev: RequestFormState, form: FormData): Promise<RequestFormState> {
  const user = await requireCustomer();
  const scope = form.get("scope");
  const note = form.get("note");
  try {
    await requestZeroRetention(user, {
      orgId: user.orgId,
      scope: scope === "per_request" ? "per_request" : "all_requests",
      note: typeof note === "string" && note.trim() !== "" ? note : undefined,
    });
  } catch (e) {
    if (e instanceof AppError) return { ok: false, message: e.message, fields: e.details?.fields };
    throw e;
  }
  // The state changed: every page (and its emblem) renders from it afresh.
  revalidatePath("/", "layout");
  return { ok: true, message: "Request sent. Support will confirm by email." };
}

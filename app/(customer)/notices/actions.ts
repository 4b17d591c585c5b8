"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireCustomer } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { acknowledgeNotice } from "@/lib/notices/queries";
import type { ActionState } from "@/components/support/action-state";

const AckForm = z.object({ noticeId: z.uuid("missing notice") });

export async function acknowledgeAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const actor = await requireCustomer();
  const parsed = AckForm.safeParse({ noticeId: formData.get("noticeId") });
  if (!parsed.success) return { status: "error", message: "This notice could not be found.", errors: { noticeId: "invalid" } };
  try {
    await acknowledgeNotice(actor, { orgId: actor.orgId, noticeId: parsed.data.noticeId });
  } catch (err) {
    if (err instanceof AppError) return { status: "error", message: err.message };
    throw err;
  }
  // The unread count in the navigation changes too.
  revalidatePath("/", "layout");
  return { status: "ok", message: "Acknowledged." };
}

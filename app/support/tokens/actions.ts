"use server";
/**
 * Service token actions of the support console. Each acts as the signed-in
 * support user; the domain functions check the role again.
 */
import { revalidatePath } from "next/cache";
import { requireSupport } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { createServiceToken, revokeServiceToken } from "@/lib/tokens/tokens";
import type { CreateTokenState } from "@/components/tokens/create-token-state";

export async function createTokenAction(_prev: CreateTokenState, formData: FormData): Promise<CreateTokenState> {
  const actor = await requireSupport();
  const name = formData.get("name");
  const scopes = formData.getAll("scopes").filter((s): s is string => typeof s === "string");
  try {
    const { token, summary } = await createServiceToken(actor, { name: typeof name === "string" ? name : "", scopes: scopes as never });
    revalidatePath("/support/tokens");
    return { status: "created", token, name: summary.name, scopes: summary.scopes };
  } catch (err) {
    if (err instanceof AppError && err.code === "invalid") {
      const errors: Record<string, string> = {};
      for (const part of err.message.split("; ")) {
        const [field, ...rest] = part.split(": ");
        errors[field.split(".")[0]] ??= rest.join(": ");
      }
      // The form is reset after the action: give back what was typed so nothing is lost.
      return { status: "error", errors, values: { name: typeof name === "string" ? name : "", scopes } };
    }
    throw err;
  }
}

export async function revokeTokenAction(formData: FormData): Promise<void> {
  const actor = await requireSupport();
  const tokenId = formData.get("tokenId");
  await revokeServiceToken(actor, { tokenId: typeof tokenId === "string" ? tokenId : "" });
  revalidatePath("/support/tokens");
}

"use server";

import { headers } from "next/headers";
import { action } from "@/lib/actions/action";
import { clientAddress } from "@/lib/auth/credentials";
import { ForgotPasswordSchema, requestPasswordReset } from "@/lib/accounts/password-reset";

/** Asks for a reset link; the answer is the same whether the address has an account or not. */
export const requestPasswordResetAction = action({ operation: null, who: "anyone", schema: ForgotPasswordSchema }, async ({ input }) => {
  const { message } = await requestPasswordReset({ email: input.email, ip: clientAddress(await headers()) });
  return { message };
});

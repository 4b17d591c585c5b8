"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { action } from "@/lib/actions/action";
import { clientAddress } from "@/lib/auth/credentials";
import { resetPassword, ResetPasswordSchema } from "@/lib/accounts/password-reset";

/** Sets a new password with a one-time link (the token is the credential), ending every session of the account. */
export const resetPasswordAction = action({ operation: null, who: "anyone", schema: ResetPasswordSchema, secret: ["password", "token"] }, async ({ input }) => {
  await resetPassword({ token: input.token, password: input.password, ip: clientAddress(await headers()) });
  redirect("/login?reset=1");
});

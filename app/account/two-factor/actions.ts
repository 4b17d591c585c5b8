"use server";
/**
 * Setting up two-factor sign-in on one's own account, through the one
 * wrapper. The operation is the caller's own account (no org in the form);
 * each domain function authorizes "account.twoFactor.manage" itself.
 */
import { z } from "zod";
import { action } from "@/lib/actions/action";
import { confirmTwoFactorEnrolment, disableTwoFactor, startTwoFactorEnrolment, TotpCodeSchema } from "@/lib/auth/two-factor";

const own = { operation: null, who: "user" } as const;

export const startTwoFactorAction = action({ ...own, schema: z.object({}) }, async ({ actor }) => {
  const { secret, otpauthUri, qrDataUrl } = await startTwoFactorEnrolment(actor);
  return { message: "Scan the QR code with your authenticator app, then enter the code it shows.", data: { secret, otpauthUri, qrDataUrl } };
});

export const confirmTwoFactorAction = action({ ...own, schema: TotpCodeSchema }, async ({ actor, input }) => {
  const { recoveryCodes } = await confirmTwoFactorEnrolment(actor, input);
  return { message: "Two-factor sign-in is on. Save your recovery codes now: they are shown only this once.", data: { recoveryCodes } };
});

export const disableTwoFactorAction = action({ ...own, schema: TotpCodeSchema, revalidate: "/account/two-factor" }, async ({ actor, input }) => {
  await disableTwoFactor(actor, input);
  return { message: "Two-factor sign-in is off for your account; your recovery codes no longer work." };
});

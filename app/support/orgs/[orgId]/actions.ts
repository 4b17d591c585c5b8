"use server";
/**
 * The account page's retention actions, through the one action wrapper; the
 * domain (lib/retention/service.ts) checks the role and the state again.
 */
import { action } from "@/lib/actions/action";
import { DisableForm, EnableForm, LiftForm, RestrictForm } from "@/lib/retention/forms";
import { disableZeroRetention, enableZeroRetention, liftRestriction, restrictOrganization } from "@/lib/retention/service";
import { setUsageRetentionDays, SetUsageRetentionInput } from "@/lib/removal/retention-window";
import { configureOrgSso, OrgSsoInput, OrgSsoRemoval, removeOrgSso } from "@/lib/sso/config";

const page = (orgId: string) => [`/support/orgs/${orgId}`];

export const enableAction = action({ operation: "retention.enable", who: "support", schema: EnableForm }, async ({ actor, input }) => {
  const r = await enableZeroRetention(actor, input);
  return {
    message: `Zero Data Retention enabled for ${r.orgName}; its ${r.emails} administrator${r.emails === 1 ? " is" : "s are"} being notified.`,
    revalidate: page(input.orgId),
  };
});

export const disableAction = action({ operation: "retention.disable", who: "support", schema: DisableForm }, async ({ actor, input }) => {
  const r = await disableZeroRetention(actor, input);
  return {
    message: `Zero Data Retention is off for ${r.orgName} (a pending request is declined); its administrators are being notified.`,
    revalidate: page(input.orgId),
  };
});

export const restrictAction = action({ operation: "retention.restrict", who: "support", schema: RestrictForm }, async ({ actor, input }) => {
  const { category, ...rest } = input;
  const r = await restrictOrganization(actor, { ...rest, reason: category });
  return { message: `Zero Data Retention restricted for ${r.orgName}; its administrators are being notified.`, revalidate: page(input.orgId) };
});

export const liftAction = action({ operation: "retention.lift", who: "support", schema: LiftForm }, async ({ actor, input }) => {
  const r = await liftRestriction(actor, input);
  return { message: `Restriction lifted for ${r.orgName}; its administrators are being notified.`, revalidate: page(input.orgId) };
});

export const setUsageRetentionAction = action(
  { operation: "usage.retention.manage", who: "support", schema: SetUsageRetentionInput },
  async ({ actor, input }) => {
    const r = await setUsageRetentionDays(actor, input);
    return { message: `Usage retention window of ${r.orgName} is now ${r.after} days (was ${r.before}).`, revalidate: [`/support/orgs/${input.orgId}`] };
  },
);

export const configureSsoAction = action(
  { operation: "sso.manage", who: "support", schema: OrgSsoInput, secret: ["clientSecret"] },
  async ({ actor, input }) => {
    const r = await configureOrgSso(actor, input);
    return {
      message: `Single sign-on saved for ${r.orgName}${input.enforced ? "; passwords are now refused for its email domains" : ""}.`,
      revalidate: page(input.orgId),
    };
  },
);

export const removeSsoAction = action({ operation: "sso.manage", who: "support", schema: OrgSsoRemoval }, async ({ actor, input }) => {
  const r = await removeOrgSso(actor, input);
  return { message: `Single sign-on removed for ${r.orgName}; its people sign in with passwords again.`, revalidate: page(input.orgId) };
});

"use server";
/** Service token actions of the support console, through the one action wrapper; lib/tokens checks the role again. */
import { action } from "@/lib/actions/action";
import { createServiceToken, revokeServiceToken, RevokeTokenForm, TokenForm } from "@/lib/tokens/tokens";

/** The token itself is in the result once, in the answer to the form; it is stored nowhere but as a hash. */
export const createTokenAction = action(
  { operation: "tokens.manage", who: "support", schema: TokenForm, revalidate: "/support/tokens" },
  async ({ actor, input }) => {
    const { token, summary } = await createServiceToken(actor, input);
    return {
      message: `Token “${summary.name}” created with ${summary.scopes.join(", ")}.`,
      data: { token, name: summary.name, scopes: summary.scopes as readonly string[] },
    };
  },
);

export const revokeTokenAction = action(
  { operation: "tokens.manage", who: "support", schema: RevokeTokenForm, revalidate: "/support/tokens" },
  async ({ actor, input }) => {
    const t = await revokeServiceToken(actor, input);
    return { message: `Token “${t.name}” revoked; its next request is refused.` };
  },
);

"use server";
/** Reviewing moderation flags, through the one action wrapper; lib/moderation checks the role again and audits. */
import { action } from "@/lib/actions/action";
import { FlagReviewForm, reviewModerationFlag } from "@/lib/moderation/flags";

export const reviewFlagAction = action(
  { operation: "moderation.review", who: "support", schema: FlagReviewForm, revalidate: "/support/flags" },
  async ({ actor, input }) => {
    const f = await reviewModerationFlag(actor, input);
    return {
      message:
        f.reviewStatus === "dismissed"
          ? `Flag ${f.category} dismissed. A restriction it caused stays until it is lifted on the account page.`
          : `Flag ${f.category} marked reviewed: it stands.`,
    };
  },
);

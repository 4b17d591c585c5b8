"use server";
/** Support's review of removal requests; the domain checks the support role again. */
import { action } from "@/lib/actions/action";
import { approveRemoval, rejectRemoval, ReviewRemovalForm } from "@/lib/removal/requests";

export const reviewRemovalAction = action(
  { operation: "removal.review", who: "support", schema: ReviewRemovalForm, revalidate: "/support/removals" },
  async ({ actor, input }) => {
    const { decision, ...review } = input;
    const r = decision === "approve" ? await approveRemoval(actor, review) : await rejectRemoval(actor, review);
    return {
      message:
        decision === "approve"
          ? `Approved: the removal of ${r.fromDay} to ${r.toDay} runs now.`
          : `Rejected: nothing of ${r.fromDay} to ${r.toDay} is removed.`,
    };
  },
);

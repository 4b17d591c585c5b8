"use server";
/** The support console's outbox actions, through the one action wrapper; lib/notify checks the role again. */
import { action } from "@/lib/actions/action";
import { RetryDeadLetterInput, retryDeadLetter } from "@/lib/notify/dead-letters";

export const retryDeadLetterAction = action(
  { operation: "outbox.retry", who: "support", schema: RetryDeadLetterInput, revalidate: "/support/outbox" },
  async ({ actor, input }) => {
    const m = await retryDeadLetter(actor, input);
    return { message: `${m.kind === "webhook" ? "Webhook delivery" : "Email"} #${m.id} is queued again; it is sent within seconds if its receiver answers.` };
  },
);

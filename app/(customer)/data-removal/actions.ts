"use server";
/** The admin's removal requests; the domain (lib/removal/requests.ts) checks role and tenant again. */
import { action } from "@/lib/actions/action";
import { cancelRemoval, CancelRemovalInput, requestRemoval, RequestRemovalInput } from "@/lib/removal/requests";

export const requestRemovalAction = action(
  { operation: "removal.request", who: "customer", schema: RequestRemovalInput, revalidate: ["/data-removal", "layout"] },
  async ({ actor, input, org }) => {
    const r = await requestRemoval(actor, { ...input, orgId: org.id });
    return { message: `Removal of ${r.fromDay} to ${r.toDay} requested for ${org.name}; support reviews it, and you will be told by email.` };
  },
);

export const cancelRemovalAction = action(
  { operation: "removal.request", who: "customer", schema: CancelRemovalInput, revalidate: ["/data-removal", "layout"] },
  async ({ actor, input, org }) => {
    await cancelRemoval(actor, { ...input, orgId: org.id });
    return { message: `Removal request cancelled for ${org.name}; nothing was removed.` };
  },
);

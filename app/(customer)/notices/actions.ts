"use server";
import { action } from "@/lib/actions/action";
import { acknowledgeNotice, AcknowledgeNoticeSchema } from "@/lib/notices/queries";

// The unread count in the navigation changes too: the whole layout is revalidated.
export const acknowledgeAction = action(
  { operation: "notices.acknowledge", who: "customer", schema: AcknowledgeNoticeSchema, revalidate: "layout" },
  async ({ actor, input, org }) => {
    await acknowledgeNotice(actor, { orgId: org.id, noticeId: input.noticeId });
    return { message: `Acknowledged for ${org.name}.` };
  },
);

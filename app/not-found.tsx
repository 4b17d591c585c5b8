import type { Metadata } from "next";
import { StatusPage } from "@/components/shell/status-page";

export const metadata: Metadata = { title: "Not found" };

/** Every 404 of the app: an unknown address, another tenant's id, a page that is not this person's to see. */
export default function NotFound() {
  return (
    <StatusPage code="404" title="This page does not exist, or is not yours to see">
      <p>Check the address. If someone sent you this link, it may belong to another organization or need an administrator&apos;s role.</p>
    </StatusPage>
  );
}

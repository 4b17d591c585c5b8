import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { requestAge } from "@/lib/business-time";
import { composeZdrReceiptEmail, zdrRequestReference } from "@/lib/notify/compose";
import { effectivePolicy } from "@/lib/retention/policy";
import { requestWaitWording } from "@/lib/retention/wording";
import { StateCard } from "@/components/retention/state-card";
import { retentionState } from "../helpers/retention-state";

const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&quot;|&#x27;|&ldquo;|&rdquo;/g, '"');

describe("a pending ZDR request on /retention", () => {
  it("says the one-business-day target while it holds, and plainly that support is overdue after it", () => {
    expect(requestWaitWording({ overdue: false, reference: "ZDR-1" }, "support@x.example")).toBe(
      "Support verifies the requester and aims to answer within one business day.",
    );
    expect(requestWaitWording({ overdue: true, reference: "ZDR-ABCD1234" }, "support@x.example")).toBe(
      "Support has not answered within one business day; it is overdue. Write to support@x.example, quoting ZDR-ABCD1234.",
    );
  });

  it("is overdue after one business day of weekday time, weekends not counted", () => {
    const friday = new Date("2026-12-04T15:00:00Z");
    expect(requestAge(friday, new Date("2026-12-07T14:00:00Z")).overdue).toBe(false);
    expect(requestAge(friday, new Date("2026-12-07T16:00:00Z")).overdue).toBe(true);
  });

  it("the state card shows the reference, the note, and the overdue sentence only when overdue", () => {
    const policy = effectivePolicy("enterprise", retentionState({ zdrStatus: "requested" }));
    const card = (overdue: boolean) =>
      text(
        renderToStaticMarkup(
          createElement(StateCard, {
            policy,
            timeZone: "UTC",
            requestedBy: "Nadia Okafor",
            pendingRequest: {
              reference: "ZDR-ABCD1234",
              createdAt: new Date(Date.now() - 60_000).toISOString(),
              requestedBy: "Nadia Okafor",
              scope: "all_requests",
              note: "HIPAA: clinical dictation",
              overdue,
            },
            isAdmin: true,
            salesEmail: "sales@x.example",
            supportEmail: "support@x.example",
          }),
        ),
      );
    expect(card(false)).toContain("ZDR-ABCD1234");
    expect(card(false)).toContain("HIPAA: clinical dictation");
    expect(card(false)).toContain("aims to answer within one business day");
    expect(card(false)).not.toContain("overdue");
    expect(card(true)).toContain("it is overdue. Write to support@x.example, quoting ZDR-ABCD1234.");
    expect(card(true)).not.toContain("aims to answer");
  });
});

describe("the receipt of a ZDR request", () => {
  const r = {
    orgName: "Northwind <Health>",
    requestId: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    scopeLabel: "All requests",
    requestedAt: new Date("2026-12-03T09:00:00Z"),
    requesterName: "Nadia Okafor",
    note: "HIPAA <b>dictation</b>",
  };
  it("names the reference, echoes the note (escaped in HTML), and says how to withdraw", () => {
    const e = composeZdrReceiptEmail(r, { name: "Omar", isRequester: false }, "https://console.example");
    expect(zdrRequestReference(r.requestId)).toBe("ZDR-0F1E2D3C");
    expect(e.subject).toContain("ZDR-0F1E2D3C");
    expect(e.text).toContain("Reference: ZDR-0F1E2D3C");
    expect(e.text).toContain("Note: HIPAA <b>dictation</b>");
    expect(e.text).toContain("Nadia Okafor asked for Zero Data Retention");
    expect(e.text).toContain('open https://console.example/retention and choose "Withdraw request"');
    expect(e.html).toContain("HIPAA &lt;b&gt;dictation&lt;/b&gt;");
    expect(e.html).not.toContain("<b>dictation");
    expect(composeZdrReceiptEmail({ ...r, note: null }, { name: "Nadia", isRequester: true }, "https://c.example").text).toContain("Note: No note was given.");
    expect(composeZdrReceiptEmail(r, { name: "Nadia", isRequester: true }, "https://c.example").text).toContain("You asked for Zero Data Retention");
  });
});

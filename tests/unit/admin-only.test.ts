/** The page a member sees on an administrators' page: who the admins are, in plain words. */
import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AdminOnly } from "@/components/members/admin-only";

const text = (html: string) =>
  html
    .replace(/<\/?(p|div|h1|a|span)[^>]*>/g, (t) => (/^<\/?(p|div|h1)/.test(t) ? " " : ""))
    .replace(/&#x27;|&apos;/g, "'")
    .replace(/\s+/g, " ")
    .trim();

describe("AdminOnly", () => {
  it("names the org and each administrator with their email, and links back", () => {
    const html = renderToStaticMarkup(
      createElement(AdminOnly, {
        title: "Members",
        org: {
          name: "Northwind Health",
          timeZone: "UTC",
          admins: [
            { name: "Nadia Okafor", email: "admin@northwind.example" },
            { name: "Sam Ito", email: "sam@northwind.example" },
          ],
        },
      }),
    );
    expect(text(html)).toContain(
      "Only administrators of Northwind Health can open this page. Your administrators: Nadia Okafor (admin@northwind.example), Sam Ito (sam@northwind.example).",
    );
    expect(html).toContain('href="mailto:admin@northwind.example"');
    expect(html).toContain('href="/usage"');
  });

  it("says so when no administrator is active", () => {
    const html = renderToStaticMarkup(createElement(AdminOnly, { title: "Webhooks", org: { name: "Acme", timeZone: "UTC", admins: [] } }));
    expect(text(html)).toContain("Only administrators of Acme can open this page. It has no active administrator right now.");
  });
});

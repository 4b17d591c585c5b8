import type { Page } from "@playwright/test";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { moderationFlags, zdrRequests } from "@/lib/db/schema";
import { inviteMember } from "@/lib/orgs/members";
import { expect, test } from "./support/fixtures";
import { mailText, mailbox, waitForMail } from "./support/mailbox";

/** The emblem of the customer shell, above the account name. */
async function expectEmblem(page: Page, state: "active" | "restricted") {
  await expect(page.getByTestId("zdr-emblem")).toHaveAttribute("data-state", state);
}

async function act(page: Page, open: string, form: string, fill: (f: ReturnType<Page["getByRole"]>) => Promise<void>) {
  await page.getByRole("button", { name: open }).click();
  const f = page.getByRole("form", { name: form });
  await fill(f);
  await f.getByLabel("Ticket reference").fill("SUP-7001");
  await f.getByRole("checkbox").check();
  await f.getByRole("button", { name: form }).click();
}

test("support enables a requested ZDR and restricts another org; admins are told in the app and by email", async ({ as, seed }) => {
  const requesting = await seed.org({ label: "Requesting Bank", zdr: "requested", requestNote: "PCI DSS scope reduction for the contact center." });
  const active = await seed.org({ label: "Active Health", zdr: "active" });

  // Support opens the request from the queue and enables ZDR with a reason and a ticket.
  const page = await as("support");
  await page.goto("/support");
  await page.getByRole("navigation", { name: "Support" }).getByRole("link", { name: "Requests" }).click();
  await expect(page.getByRole("heading", { name: "ZDR requests" })).toBeVisible();
  await page.getByTestId("zdr-request").filter({ hasText: requesting.name }).getByRole("link", { name: requesting.name }).click();
  await expect(page.getByRole("heading", { name: requesting.name })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Pending ZDR request" })).toBeVisible();

  // A missing reason and confirmation is refused with errors next to the fields.
  await page.getByRole("button", { name: "Enable ZDR…" }).click();
  const enableForm = page.getByRole("form", { name: "Enable ZDR" });
  await enableForm.getByRole("button", { name: "Enable ZDR" }).click();
  await expect(enableForm.getByText("Give a reason of at least 3 characters")).toBeVisible();
  await expect(enableForm.getByText("Tick the box to confirm this change")).toBeVisible();
  await expect(page.getByTestId("zdr-status")).toContainText("requested");

  await enableForm.getByLabel("Reason").fill("Requester verified as the admin by phone call-back");
  await enableForm.getByLabel("Ticket reference").fill("SUP-7001");
  await enableForm.getByRole("checkbox").check();
  await enableForm.getByRole("button", { name: "Enable ZDR" }).click();
  await expect(page.getByTestId("zdr-status")).toContainText("active");
  await expect(page.getByTestId("customer-emblem")).toHaveText("ZDR emblem");
  const retentionAudit = page.getByTestId("audit-retention");
  await expect(retentionAudit).toContainText("Requester verified as the admin by phone call-back");
  // Audit rows read as sentences, with the people by name.
  await expect(retentionAudit).toContainText("Sam Rivera (Support) enabled Zero Data Retention for ");

  // The requesting org's admin sees the emblem and the confirmation notice.
  const requestingAdmin = await as(requesting.admin);
  await requestingAdmin.goto("/notices");
  await expectEmblem(requestingAdmin, "active");
  await expect(requestingAdmin.getByRole("heading", { name: `Zero Data Retention is on for ${requesting.name}` })).toBeVisible();

  // Support restricts the other org as high-risk.
  await page.goto(`/support?q=${encodeURIComponent(active.name)}`);
  await page.getByRole("link", { name: active.name }).click();
  await expect(page.getByRole("heading", { name: active.name })).toBeVisible();
  await act(page, "Restrict ZDR…", "Restrict ZDR", async (f) => {
    await f.getByLabel("Reason category").selectOption("high_risk_use_case");
    await f.getByLabel("Note to the organization's admins").fill("Use case under review: automated triage of emergency calls");
  });
  await expect(page.getByTestId("restriction")).toContainText("High-risk use case");
  await expect(page.getByTestId("customer-emblem")).toHaveText("Warning emblem: ZDR restricted");

  // The emails reached the SMTP server: each org's notice to its admins, and to no one else.
  const restrictionMail = await waitForMail((m) => m.subject.includes(`restricted for ${active.name}`));
  await waitForMail((m) => m.subject.includes(`on for ${requesting.name}`));
  const recipients = (orgName: string) =>
    [
      ...new Set(
        mailbox()
          .filter((m) => m.subject.includes(orgName))
          .flatMap((m) => m.to),
      ),
    ].sort();
  expect(recipients(active.name)).toEqual([active.admin.email]);
  expect(recipients(requesting.name)).toEqual([requesting.admin.email]);
  const everyRecipient = mailbox().flatMap((m) => m.to);
  expect(everyRecipient).not.toContain(active.member.email);
  expect(everyRecipient).not.toContain(requesting.member.email);
  expect(mailText(restrictionMail)).toContain("High-risk use case");
  expect(restrictionMail.messageId).toMatch(/^<notice-[0-9a-f-]+\.[0-9a-f-]+@127\.0\.0\.1>$/);

  // The restricted org's member reads the notice but cannot acknowledge it.
  const member = await as(active.member);
  await member.goto("/notices");
  const memberNotice = member.getByTestId("notice").filter({ hasText: `Zero Data Retention restricted for ${active.name}` });
  await expect(memberNotice).toHaveAttribute("data-unread", "true");
  await expect(memberNotice.getByRole("button", { name: /Acknowledge/ })).toHaveCount(0);

  // Its admin sees the warning emblem and the notice, and acknowledges it.
  const admin = await as(active.admin);
  await admin.goto("/notices");
  await expectEmblem(admin, "restricted");
  const notice = admin.getByTestId("notice").filter({ hasText: `Zero Data Retention restricted for ${active.name}` });
  await expect(notice).toHaveAttribute("data-unread", "true");
  await expect(admin.getByTestId("notice-count")).toHaveText("1 unacknowledged");
  await expect(notice).toContainText("Use case under review: automated triage of emergency calls");
  await expect(notice).toContainText("How to contest");
  await notice.getByRole("button", { name: /Acknowledge/ }).click();
  await expect(notice.getByTestId("acknowledged")).toContainText(`Acknowledged by ${active.admin.name}`);
  await expect(notice).toHaveAttribute("data-unread", "false");
  await expect(admin.getByTestId("notice-count")).toHaveCount(0);

  // Support sees who acknowledged it.
  await page.reload();
  await expect(page.getByText(`acknowledged by ${active.admin.email}`)).toBeVisible();
});

test("customers do not see the support console", async ({ as }) => {
  const admin = await as("northwindAdmin");
  const res = await admin.goto("/support");
  expect(res?.status()).toBe(404);
});

test("the support console and the notices page have no axe violations", async ({ as }) => {
  const { default: AxeBuilder } = await import("@axe-core/playwright");
  const page = await as("support");
  for (const path of ["/support", "/support/requests", "/support/flags"]) {
    await page.goto(path);
    const r = await new AxeBuilder({ page }).analyze();
    expect(r.violations.map((v) => `${path}: ${v.id}`)).toEqual([]);
  }
  await page.goto("/support?q=northwind");
  await page.getByRole("link", { name: "Northwind Health" }).click();
  // Whichever of the two the state offers: this test does not depend on the one before it.
  await page.getByRole("button", { name: /^(Restrict ZDR|Lift restriction)…$/ }).click();
  const org = await new AxeBuilder({ page }).analyze();
  expect(org.violations.map((v) => `org page: ${v.id}`)).toEqual([]);

  const admin = await as("northwindAdmin");
  await admin.goto("/notices");
  const notices = await new AxeBuilder({ page: admin }).analyze();
  expect(notices.violations.map((v) => `/notices: ${v.id}`)).toEqual([]);
});

test("the console marks the current page and counts overdue requests; a person's name finds their org; audit rows are sentences, membership apart", async ({
  as,
  seed,
}) => {
  const org = await seed.org({ label: "Sentence Clinic" });
  const db = seed.handle.db;
  // A request filed ten days ago is past its one-business-day target.
  await db.insert(zdrRequests).values({
    orgId: org.id,
    requestedBy: org.admin.id,
    scope: "all_requests",
    note: "E2E: overdue.",
    status: "pending",
    createdAt: new Date(Date.now() - 10 * 86_400_000),
  });
  const admin = (await loadUserPrincipalByEmail(db, org.admin.email))!;
  const invitee = `jane.roe-${org.slug}@e2e.example`;
  await inviteMember(admin, { orgId: org.id, email: invitee, role: "admin" }, db);

  const page = await as("support");
  await page.goto("/support/requests");
  const nav = page.getByRole("navigation", { name: "Support" });
  await expect(nav.getByRole("link", { name: /^Requests/ })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Accounts" })).not.toHaveAttribute("aria-current", "page");
  const overdueRows = await page.getByTestId("zdr-request").filter({ hasText: "Overdue by" }).count();
  expect(overdueRows).toBeGreaterThanOrEqual(1);
  await expect(nav.getByTestId("overdue-count")).toHaveText(`${overdueRows} overdue`);

  // Search by the admin's name (not an email, not the org's name).
  await page.goto(`/support?q=${encodeURIComponent(org.admin.name)}`);
  await expect(page.getByRole("link", { name: org.name })).toBeVisible();
  await page.getByRole("link", { name: org.name }).click();
  await expect(nav.getByRole("link", { name: "Accounts" })).toHaveAttribute("aria-current", "page");
  const membership = page.getByTestId("audit-membership");
  await expect(membership).toContainText(`${org.admin.name} invited ${invitee} as Administrator`);
  await expect(page.getByTestId("audit-retention")).toHaveCount(0);
});

test("support reviews and dismisses moderation flags, with a reason, audited; a decided flag cannot be decided again", async ({ as, seed }) => {
  const org = await seed.org({ label: "Flagged Studio" });
  const [flag] = await seed.handle.db
    .insert(moderationFlags)
    .values({ orgId: org.id, category: "e2e_false_positive", severity: "low" })
    .returning({ id: moderationFlags.id });
  const page = await as("support");
  await page.goto("/support/flags");
  await expect(page.getByRole("navigation", { name: "Support" }).getByRole("link", { name: "Flags" })).toHaveAttribute("aria-current", "page");
  const row = page.getByTestId("flag").filter({ hasText: org.name });
  await expect(row).toHaveAttribute("data-review", "open");
  await row.getByRole("button", { name: `Review the flag e2e_false_positive on ${org.name}` }).click();
  const dialog = page.getByRole("dialog", { name: /Review the flag/ });
  // No reason: refused, next to the field.
  await dialog.getByLabel("Dismissed: a false positive").check();
  await dialog.getByRole("button", { name: "Save the review" }).click();
  await expect(dialog.getByText("Say why, for the audit trail")).toBeVisible();
  await dialog.getByLabel(/Reason/).fill("Test traffic from the customer's QA team");
  await dialog.getByRole("button", { name: "Save the review" }).click();
  await expect(row).toHaveAttribute("data-review", "dismissed");
  await expect(row).toContainText("Dismissed");
  await expect(row).toContainText("by Sam Rivera (Support)");
  await expect(row).toContainText("Test traffic from the customer's QA team");

  await page.goto(`/support/orgs/${org.id}`);
  await expect(page.getByTestId("audit-other")).toContainText("Sam Rivera (Support) dismissed a moderation flag (e2e_false_positive)");
  await expect(page.getByTestId("audit-other")).toContainText(`flag-${flag.id}`);
});

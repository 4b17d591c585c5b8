import type { Page } from "@playwright/test";
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
  await expect(page.getByTestId("audit-trail")).toContainText("Requester verified as the admin by phone call-back");

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

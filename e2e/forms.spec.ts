/**
 * Every form with a server action, on an organization of the test's own:
 * submitted with one field wrong, the other fields still hold what was typed
 * and the error sits next to the wrong field (aria-invalid, aria-describedby);
 * every confirmation opens from the keyboard, Escape closes it and focus is
 * back on its opener; axe on each page touched. And a stale tab of another
 * organization is refused, naming both, changing neither.
 */
import AxeBuilder from "@axe-core/playwright";
import { eq, inArray } from "drizzle-orm";
import type { Locator, Page } from "@playwright/test";
import { invitations } from "@/lib/db/schema";
import { expect, test } from "./support/fixtures";
import { waitForMail, mailText } from "./support/mailbox";
import { tag } from "./support/seed";

async function expectNoAxeViolation(page: Page, label: string) {
  const r = await new AxeBuilder({ page }).analyze();
  expect(r.violations.map((v) => `${label}: ${v.id} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/** The field is marked invalid and its described-by element holds `message`. */
async function expectFieldError(field: Locator, message: string | RegExp) {
  await expect(field).toHaveAttribute("aria-invalid", "true");
  const ids = ((await field.getAttribute("aria-describedby")) ?? "").split(/\s+/).filter(Boolean);
  const page = field.page();
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  expect(texts.join(" ")).toMatch(message);
}

/** Keyboard only: focus the opener, Enter opens the dialog with focus inside, Escape closes it, focus is back on the opener. */
async function expectDialogKeyboard(page: Page, opener: Locator, label: string) {
  await opener.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await expect(dialog, `${label}: opens`).toBeVisible();
  await expect(dialog, `${label}: named by its title`).toHaveAccessibleName(/.+/);
  expect(await dialog.evaluate((d) => d.contains(document.activeElement)), `${label}: focus moved into the dialog`).toBe(true);
  await page.keyboard.press("Escape");
  await expect(dialog, `${label}: Escape closes it`).toHaveCount(0);
  await expect(opener, `${label}: focus is back on the opener`).toBeFocused();
}

test("members: invite with a bad email keeps the role and names the field; remove and revoke confirm in a dialog", async ({ as, seed }) => {
  const org = await seed.org({ label: "Members Forms" });
  const page = await as(org.admin);
  await page.goto("/members");
  const invite = page.locator("form").filter({ has: page.getByRole("button", { name: "Send invitation" }) });
  await invite.getByLabel("Email").fill("not-an-email");
  await invite.getByLabel("Role").selectOption("admin");
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expectFieldError(invite.getByLabel("Email"), /valid email/);
  await expect(invite.getByLabel("Email")).toHaveValue("not-an-email");
  await expect(invite.getByLabel("Role")).toHaveValue("admin");

  const invitee = `hire-${tag()}@e2e.example`;
  await invite.getByLabel("Email").fill(invitee);
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.locator("#invite-status")).toContainText(`Invitation to join ${org.name}`);

  // The role form: one field, saved with the org named.
  await page.getByLabel(`Role of ${org.member.name}`, { exact: true }).selectOption("admin");
  await page.getByRole("button", { name: `Save role of ${org.member.name}` }).click();
  await expect(page.getByText(`Role in ${org.name} set to administrator.`)).toBeVisible();

  // Keyboard: each confirmation opens, Escape closes it, focus is back on its opener.
  const remove = page.getByRole("button", { name: `Remove ${org.member.name}` });
  const revoke = page.getByRole("button", { name: `Revoke the invitation to ${invitee}` });
  await expectDialogKeyboard(page, remove, "remove member");
  await expectDialogKeyboard(page, revoke, "revoke invitation");
  await expectNoAxeViolation(page, "/members");
  await remove.click();
  // A destructive dialog starts on Cancel: Enter right away must not remove anyone.
  await expect(page.getByRole("dialog").getByRole("button", { name: "Cancel" })).toBeFocused();
  await expectNoAxeViolation(page, "/members with the dialog open");
  await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByTestId("member-row").filter({ hasText: org.member.email })).toHaveCount(0);
  await revoke.click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("invitation-row").filter({ hasText: invitee })).toHaveCount(0);
});

test("invitation accept: a short password is refused next to the field and the name is kept", async ({ as, seed, page }) => {
  const org = await seed.org({ label: "Invite Accept" });
  const admin = await as(org.admin);
  await admin.goto("/members");
  const invitee = `new-${tag()}@e2e.example`;
  await admin.getByLabel("Email").fill(invitee);
  await admin.getByRole("button", { name: "Send invitation" }).click();
  await expect(admin.locator("#invite-status")).toContainText(invitee);
  const mail = await waitForMail((m) => m.to.includes(invitee));
  const link = /\/invite\/[A-Za-z0-9_-]+/.exec(mailText(mail))?.[0];
  expect(link, "the invitation link in the email").toBeTruthy();

  await page.goto(link!);
  await page.getByLabel("Your name").fill("Nina New");
  await page.getByLabel("Choose a password").fill("short");
  await page.getByRole("button", { name: "Accept the invitation" }).click();
  await expectFieldError(page.getByLabel("Choose a password"), /At least 12 characters/);
  await expect(page.getByLabel("Your name")).toHaveValue("Nina New");
  await expectNoAxeViolation(page, "/invite");
  await page.getByLabel("Choose a password").fill("a-long-enough-password");
  await page.getByRole("button", { name: "Accept the invitation" }).click();
  // Accepting signs the new person in, in the organization they joined.
  await expect(page).toHaveURL(/\/usage$/);
  await expect(page.getByTestId("account-name")).toHaveText(org.name);
});

test("invitations: a second invitation to the same address is refused offering Resend; Resend replaces the link", async ({ as, seed, page }) => {
  const org = await seed.org({ label: "Invite Resend" });
  const admin = await as(org.admin);
  await admin.goto("/members");
  const invitee = `again-${tag()}@e2e.example`;
  await admin.getByLabel("Email").fill(invitee);
  await admin.getByRole("button", { name: "Send invitation" }).click();
  await expect(admin.locator("#invite-status")).toContainText(invitee);
  const first = /\/invite\/[A-Za-z0-9_-]+/.exec(mailText(await waitForMail((m) => m.to.includes(invitee))))?.[0];
  expect(first, "the first invitation link").toBeTruthy();

  await admin.getByLabel("Email").fill(invitee);
  await admin.getByRole("button", { name: "Send invitation" }).click();
  await expect(admin.locator("#invite-status")).toContainText("already has an invitation waiting");
  await expect(admin.locator("#invite-status")).toContainText("Resend");
  await expect(admin.getByLabel("Email")).toHaveValue(invitee);
  await expect(admin.getByTestId("invitation-row").filter({ hasText: invitee })).toHaveCount(1);

  await admin.getByRole("button", { name: `Resend the invitation to ${invitee}` }).click();
  await expect(admin.getByText(`A new invitation to ${org.name} was sent to ${invitee}`)).toBeVisible();
  await expect(admin.getByTestId("invitation-row").filter({ hasText: invitee })).toHaveCount(1);
  const second = /\/invite\/[A-Za-z0-9_-]+/.exec(mailText(await waitForMail((m) => m.to.includes(invitee) && !mailText(m).includes(first!))))?.[0];
  expect(second, "the new invitation link").toBeTruthy();
  expect(second).not.toBe(first);
  await expectNoAxeViolation(admin, "/members after resend");

  // The old link no longer works; the new one does.
  await page.goto(first!);
  await expect(page.getByRole("button", { name: "Accept the invitation" })).toHaveCount(0);
  await page.goto(second!);
  await expect(page.getByRole("button", { name: "Accept the invitation" })).toBeVisible();
});

test("ZDR request: an oversize note is refused next to it and the chosen scope is kept", async ({ as, seed }) => {
  const org = await seed.org({ label: "Request Forms", zdr: "off" });
  const page = await as(org.admin);
  await page.goto("/retention");
  await page.getByLabel(/Only requests sent with/).check();
  await page.getByLabel(/Why you need it/).fill("x".repeat(501));
  await page.getByRole("button", { name: "Request Zero Data Retention" }).click();
  await expectFieldError(page.getByLabel(/Why you need it/), /At most 500 characters/);
  await expect(page.getByLabel(/Only requests sent with/)).toBeChecked();
  await expect(page.getByLabel(/Why you need it/)).toHaveValue("x".repeat(501));
  await expect(page.getByTestId("retention-state")).toHaveText("Off");
  await expectNoAxeViolation(page, "/retention");
});

type Filled = { reason?: string; category?: string; note?: string; ticket: string; confirm: boolean };

async function fill(form: Locator, f: Filled) {
  if (f.category) await form.getByLabel("Reason category").selectOption(f.category);
  if (f.note !== undefined) await form.getByLabel("Note to the organization's admins").fill(f.note);
  if (f.reason !== undefined) await form.getByLabel("Reason", { exact: true }).fill(f.reason);
  await form.getByLabel("Ticket reference").fill(f.ticket);
  if (f.confirm) await form.getByRole("checkbox").check();
}

async function expectKept(form: Locator, f: Filled) {
  if (f.category) await expect(form.getByLabel("Reason category")).toHaveValue(f.category);
  if (f.note !== undefined) await expect(form.getByLabel("Note to the organization's admins")).toHaveValue(f.note);
  if (f.reason !== undefined) await expect(form.getByLabel("Reason", { exact: true })).toHaveValue(f.reason);
  if (f.confirm) await expect(form.getByRole("checkbox")).toBeChecked();
}

test("support actions: one field wrong keeps the rest and names the field; every confirmation is a dialog that keeps focus", async ({ as, seed }) => {
  const requested = await seed.org({ label: "Support Forms Requested", zdr: "requested" });
  const active = await seed.org({ label: "Support Forms Active", zdr: "active" });
  const restricted = await seed.org({
    label: "Support Forms Restricted",
    zdr: "active",
    restricted: { reason: "automated_flag", note: "Seeded restriction." },
  });
  const page = await as("support");

  const cases: { org: typeof requested; kind: string; filled: Filled; wrong: "ticketRef" | "confirm" }[] = [
    { org: requested, kind: "Enable ZDR", filled: { reason: "Verified by call-back.", ticket: "bad ticket!!", confirm: true }, wrong: "ticketRef" },
    { org: requested, kind: "Decline request", filled: { reason: "Could not verify.", ticket: "SUP-1", confirm: false }, wrong: "confirm" },
    { org: active, kind: "Disable ZDR", filled: { reason: "Customer asked.", ticket: "bad ticket!!", confirm: true }, wrong: "ticketRef" },
    {
      org: active,
      kind: "Restrict ZDR",
      filled: { category: "high_risk_use_case", note: "Use case under review.", ticket: "bad ticket!!", confirm: true },
      wrong: "ticketRef",
    },
    { org: restricted, kind: "Lift restriction", filled: { reason: "Review complete.", ticket: "SUP-2", confirm: false }, wrong: "confirm" },
  ];
  for (const c of cases) {
    await page.goto(`/support/orgs/${c.org.id}`);
    const opener = page.getByRole("button", { name: `${c.kind}…` });
    await expectDialogKeyboard(page, opener, c.kind);
    await opener.click();
    const form = page.getByRole("dialog").getByRole("form", { name: c.kind });
    await fill(form, c.filled);
    await form.getByRole("button", { name: c.kind }).click();
    // The message sits in the field's description (read out with its label "Ticket reference").
    if (c.wrong === "ticketRef") await expectFieldError(form.getByLabel("Ticket reference"), /letters, digits/);
    else await expectFieldError(form.getByRole("checkbox"), /Tick the box/);
    await expectKept(form, c.filled);
    if (c.wrong === "confirm") await expect(form.getByLabel("Ticket reference")).toHaveValue(c.filled.ticket);
    await expectNoAxeViolation(page, `${c.kind} with an error`);
    await page.keyboard.press("Escape");
    await expect(opener).toBeFocused();
  }
  // Nothing was changed by the refused submits.
  await page.goto(`/support/orgs/${requested.id}`);
  await expect(page.getByTestId("zdr-status")).toContainText("requested");
});

test("an admin of two orgs who switched org in another tab is refused in the stale tab, naming both orgs; neither changes", async ({ as, seed }) => {
  const a = await seed.org({ label: "Stale Tab A" });
  const b = await seed.org({ label: "Stale Tab B" });
  const both = await seed.user({ name: "Dana Two-Orgs" });
  await seed.membership(a.id, both, "admin");
  await seed.membership(b.id, both, "admin");

  const first = await as(both);
  await first.goto("/members");
  const activeName = (await first.getByTestId("account-name").textContent())!.trim();
  const [stale, other] = activeName === a.name ? [a, b] : [b, a];
  expect([a.name, b.name]).toContain(activeName);

  // A second tab of the same browser switches to the other org.
  const second = await first.context().newPage();
  await second.goto("/usage");
  await second.getByText(/Switch organization/).click();
  await second.getByRole("button", { name: other.name }).click();
  await expect(second.getByTestId("account-name")).toHaveAccessibleName(other.name);

  // The first tab still shows the stale org's form; its submit is refused.
  const hire = `hire-${tag()}@e2e.example`;
  await first.getByLabel("Email").fill(hire);
  await first.getByRole("button", { name: "Send invitation" }).click();
  const status = first.locator("#invite-status");
  await expect(status).toContainText(stale.name);
  await expect(status).toContainText(other.name);
  await expect(status).toContainText("Nothing was changed");
  await expect(first.getByLabel("Email")).toHaveValue(hire);
  const rows = await seed.handle.db
    .select()
    .from(invitations)
    .where(inArray(invitations.orgId, [a.id, b.id]));
  expect(rows).toEqual([]);
  expect(await seed.handle.db.select().from(invitations).where(eq(invitations.email, hire))).toEqual([]);
});

test("ZDR request: the receipt names the reference and echoes the note; an admin withdraws it and support sees it withdrawn", async ({ as, seed }) => {
  const org = await seed.org({ label: "Request Receipt", zdr: "off" });
  const page = await as(org.admin);
  await page.goto("/retention");
  await page.getByLabel(/Why you need it/).fill("HIPAA: clinical dictation.");
  await page.getByRole("button", { name: "Request Zero Data Retention" }).click();
  await expect(page.getByTestId("retention-state")).toHaveText("Pending");
  const reference = (await page.getByTestId("request-reference").textContent())!.trim();
  expect(reference).toMatch(/^ZDR-[0-9A-F]{8}$/);
  await expect(page.getByTestId("request-note")).toHaveText("HIPAA: clinical dictation.");
  await expect(page.getByTestId("request-overdue")).toHaveCount(0);

  // The receipt: to the admin who asked (the org's member gets none), with the reference, the note and how to withdraw.
  const receipt = await waitForMail((m) => m.to.includes(org.admin.email) && mailText(m).includes(reference));
  expect(mailText(receipt)).toContain("HIPAA: clinical dictation.");
  expect(mailText(receipt)).toContain("Withdraw request");

  await page.getByRole("button", { name: "Withdraw request…" }).click();
  await expect(page.getByRole("dialog").getByRole("button", { name: "Cancel" })).toBeFocused();
  await expectNoAxeViolation(page, "/retention with the withdraw dialog open");
  await page.getByRole("dialog").getByRole("button", { name: "Withdraw request" }).click();
  await expect(page.getByTestId("retention-state")).toHaveText("Off");
  await expect(page.getByRole("button", { name: "Request Zero Data Retention" })).toBeVisible();

  const support = await as("support");
  await support.goto(`/support/orgs/${org.id}`);
  await expect(support.getByTestId("zdr-request-row").filter({ hasText: reference })).toContainText("Withdrawn by the customer");
  await expect(support.getByRole("heading", { name: "Pending ZDR request" })).toHaveCount(0);
});

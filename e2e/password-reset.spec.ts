/**
 * "Forgot password?" as a person would use it: the link on /login, the same
 * answer for an address with and without an account, the email from the SMTP
 * sink, a new password, the old one refused, the session of another device
 * ended, and a used link refused. On an organization of the test's own.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { mailText, mailTo, waitForMail } from "./support/mailbox";
import { tag } from "./support/seed";

async function expectNoAxeViolation(page: Page, label: string) {
  const r = await new AxeBuilder({ page }).analyze();
  expect(r.violations.map((v) => `${label}: ${v.id} ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

async function askForReset(page: Page, email: string): Promise<string> {
  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send the reset link" }).click();
  const status = page.locator("#forgot-status");
  await expect(status).toContainText("If an account exists for that address");
  return (await status.textContent()) ?? "";
}

test("password reset: same answer for an unknown address and no mail; the link sets a new password once and ends the other device's session", async ({
  page,
  as,
  seed,
}) => {
  const org = await seed.org({ label: "Password Reset" });
  const user = org.admin;
  // The other device: signed in with the old password before the reset.
  const otherDevice = await as(user);
  await otherDevice.goto("/usage");
  await expect(otherDevice).toHaveURL(/\/usage$/);

  const unknown = `nobody-${tag()}@e2e.example`;
  const answerUnknown = await askForReset(page, unknown);
  await expectNoAxeViolation(page, "/forgot-password");
  const answerKnown = await askForReset(page, user.email);
  expect(answerKnown).toBe(answerUnknown);

  const mail = await waitForMail((m) => m.to.includes(user.email) && m.subject.includes("Reset your password"));
  const link = /\/reset-password\/[A-Za-z0-9_-]+/.exec(mailText(mail))?.[0];
  expect(link, "the reset link in the email").toBeTruthy();
  expect(mail.raw, "replies go to the monitored support mailbox").toMatch(/^Reply-To: .*@/im);

  await page.goto(link!);
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await expectNoAxeViolation(page, "/reset-password");
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page.getByLabel("New password")).toHaveAttribute("aria-invalid", "true");
  const newPassword = `a-new-password-${tag()}`;
  await page.getByLabel("New password").fill(newPassword);
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);
  await expect(page.getByRole("status").filter({ hasText: "Your password was changed" })).toBeVisible();

  // The other device's session is over.
  await otherDevice.goto("/usage");
  await expect(otherDevice).toHaveURL(/\/login/);

  // The old password no longer signs in; the new one does.
  await page.getByLabel("Email").fill(user.email);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
  await page.getByLabel("Password").fill(newPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/usage$/);

  // The link was spent.
  await page.goto(link!);
  await expect(page.getByRole("heading", { name: "This reset link cannot be used" })).toBeVisible();

  // The unknown address got nothing (its request was answered before the known one's mail arrived).
  await page.waitForTimeout(1000);
  expect(mailTo(unknown)).toHaveLength(0);
});

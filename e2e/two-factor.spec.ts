/**
 * Two-factor sign-in as support staff meet it: a new support user is sent to
 * set up an authenticator before the console opens; the code is computed
 * here with otpauth, as an app on a phone would; a wrong code is refused; a
 * recovery code works once. A support user of the test's own, so nothing it
 * does touches the demo world.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import * as OTPAuth from "otpauth";
import { supportStaff } from "@/lib/db/schema";
import { expect, test } from "./support/fixtures";
import { seedUser } from "./support/seed";

const STEP_MS = 30_000;
const codeAt = (secret: string, at: number) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: at });
/** A 6-digit code that is none of the codes the server accepts right now (one step either side). */
function wrongCode(secret: string): string {
  const near = new Set([-1, 0, 1].map((d) => codeAt(secret, Date.now() + d * STEP_MS)));
  for (let n = 123456; ; n++) if (!near.has(String(n).padStart(6, "0"))) return String(n).padStart(6, "0");
}

async function expectNoSeriousAxeViolation(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    label,
  ).toEqual([]);
}

async function passwordStep(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("support staff must set up TOTP before the console opens; a wrong code is refused; a recovery code works once", async ({ page, seed }) => {
  test.setTimeout(120_000);
  const staff = await seedUser(seed.handle.db, { emailPrefix: "support", name: "New Support Person" });
  await seed.handle.db.insert(supportStaff).values({ userId: staff.id });

  // The password alone opens only the set-up page: the console sends them back to it.
  await passwordStep(page, staff.email, staff.password);
  await expect(page).toHaveURL(/\/account\/two-factor$/);
  await page.goto("/support");
  await expect(page).toHaveURL(/\/account\/two-factor$/);
  await page.goto("/support/tokens");
  await expect(page).toHaveURL(/\/account\/two-factor$/);
  await expect(page.getByText("the support console opens once you have set up an authenticator app")).toBeVisible();
  await expectNoSeriousAxeViolation(page, "set-up page");

  // Keyboard only: start the set-up, read the key the QR code carries.
  await page.getByRole("button", { name: "Set up an authenticator app" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("img", { name: "QR code of the authenticator set-up key" })).toBeVisible();
  await expect(page.getByTestId("totp-secret")).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);

  await page.getByLabel("Code from the app").fill(wrongCode(secret));
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expect(page.getByText("That code does not match", { exact: false }).first()).toBeVisible();
  await page.goto("/support");
  await expect(page).toHaveURL(/\/account\/two-factor$/);

  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await expect(page.getByTestId("totp-secret")).toBeVisible();
  const secret2 = (await page.getByTestId("totp-secret").textContent())!.trim();
  await page.getByLabel("Code from the app").fill(codeAt(secret2, Date.now()));
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  const codes = (await page.getByTestId("recovery-codes").locator("li").allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  await expectNoSeriousAxeViolation(page, "recovery codes");
  await page.getByRole("link", { name: "I have saved them, continue" }).click();
  await expect(page).toHaveURL(/\/support$/);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);

  // Next sign-in: the password asks for the code; a wrong one is refused and opens nothing.
  await passwordStep(page, staff.email, staff.password);
  const code = page.getByLabel("Authentication code");
  await expect(code).toBeFocused();
  await code.fill(wrongCode(secret2));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page.getByText("That code is not valid.")).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);

  // A lost phone: a recovery code signs in, once.
  await code.fill(codes[0]);
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page).toHaveURL(/\/support$/);
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await passwordStep(page, staff.email, staff.password);
  await page.getByLabel("Authentication code").fill(codes[0]);
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page.getByText("That code is not valid.")).toBeVisible();
  await page.goto("/support");
  await expect(page).toHaveURL(/\/login/);

  // The authenticator's next code still works (the enrolment's own code was spent).
  await passwordStep(page, staff.email, staff.password);
  await page.getByLabel("Authentication code").fill(codeAt(secret2, Date.now() + STEP_MS));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page).toHaveURL(/\/support$/);
});

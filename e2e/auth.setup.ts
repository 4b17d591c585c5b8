/**
 * The setup project: signs each demo role in once, through the login form as
 * a person would, and saves the session (e2e/.auth/<role>.json, gitignored)
 * for the fixtures to hand out. A spec that ends a session (sign-out, sign
 * out everywhere) uses a seeded user of its own, never one of these.
 */
import { test as setup } from "@playwright/test";
import { ROLES, signInThroughUi, storageStateOf, type DemoRole } from "./support/auth";

for (const role of Object.keys(ROLES) as DemoRole[]) {
  setup(`sign ${role} in`, async ({ page }) => {
    await signInThroughUi(page, ROLES[role]);
    await page.context().storageState({ path: storageStateOf(role) });
  });
}

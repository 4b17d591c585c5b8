import { expect, test } from "./support/fixtures";

test("the login page loads with its form", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in to ZDR Console" })).toBeVisible();
  await expect(page.getByLabel("Email")).toBeVisible();
  // Email first; the password is asked once the address is known not to sign in with single sign-on.
  await page.getByLabel("Email").fill("admin@northwind.example");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByLabel("Password")).toBeVisible();
});

test("health reports a reachable database", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ status: "ok", database: "reachable" });
});

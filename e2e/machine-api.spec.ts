import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./support/fixtures";
import { tag } from "./support/seed";

test("support staff create a service token, see it once, use it, and revoke it", async ({ as, request }) => {
  // Tokens belong to no org: a name of its own keeps this test's row apart from any other's.
  const name = `e2e fleet ${tag()}`;
  const page = await as("support");
  await page.goto("/support/tokens");
  await expect(page.getByRole("heading", { name: "Service tokens" })).toBeVisible();

  // Without a scope the form says what is missing, next to the field.
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.locator("#token-scopes-error")).toContainText("Choose at least one scope");
  // What was typed survives the failed attempt.
  await expect(page.getByLabel("Name")).toHaveValue(name);

  await page.getByRole("checkbox", { name: /policy:read/ }).check();
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  expect(token).toMatch(/^zdr_st_[A-Za-z0-9_-]{43}$/);
  // The Copy button puts exactly the secret on the clipboard, and says so.
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByRole("button", { name: "Copy the token" }).click();
  await expect(page.getByText("Copied to the clipboard.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

  // The token works against the API (an unknown org is 404, which only an authenticated caller can see).
  const ok = await request.get("/api/v1/orgs/00000000-0000-4000-8000-000000000000/retention-policy", { headers: { authorization: `Bearer ${token}` } });
  expect(ok.status()).toBe(404);

  // Shown once: a reload lists the token by prefix only.
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  const row = page.getByRole("row", { name });
  await expect(row).toContainText(token.slice(0, 13));
  await expect(page.locator("body")).not.toContainText(token);
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

  // Revoking asks for the token's name typed again: a near miss keeps the button disabled.
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  const dialog = page.getByRole("dialog", { name: /Revoke the token/ });
  const confirm = dialog.getByRole("button", { name: "Revoke the token" });
  await dialog.getByLabel(/to confirm/).fill(name.slice(0, -1));
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/to confirm/).fill(name);
  await confirm.click();
  await expect(page.getByRole("row", { name })).toContainText("Revoked");
  // Who created and who revoked it: the support user, by name.
  await expect(page.getByRole("row", { name })).toContainText(/by \S/);
  const refused = await request.get("/api/v1/orgs/00000000-0000-4000-8000-000000000000/retention-policy", { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(401);
});

test("a customer cannot reach the token page", async ({ as }) => {
  const page = await as("northwindAdmin");
  const res = await page.goto("/support/tokens");
  expect(res?.status()).toBe(404);
});

test("the API reference is readable without signing in and matches the OpenAPI document", async ({ page, request }) => {
  await page.goto("/docs/api");
  await expect(page.getByRole("heading", { level: 1, name: "ZDR Console machine API" })).toBeVisible();
  await expect(page.getByRole("heading", { name: /POST\s*\/api\/v1\/usage\/events/ })).toBeVisible();
  await expect(page.getByText("keep no content", { exact: false }).first()).toBeVisible();
  // Nested fields have rows of their own: the one field the fleet must act on does not render as "object".
  await expect(page.getByRole("cell", { name: "zdr.honoured", exact: true }).first()).toBeVisible();
  await expect(page.getByRole("cell", { name: "products[].dataTypes[].zdrEligible", exact: true }).first()).toBeVisible();
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  const doc = await (await request.get("/api/v1/openapi.json")).json();
  expect(doc.openapi).toBe("3.1.0");
  // One heading per operation, "METHOD /path", matched whole: /removal-orders must not also match /removal-orders/{id}/completion.
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(ops)) {
      await expect(page.getByRole("heading", { name: new RegExp(`^${method.toUpperCase()} ${path.replace(/[{}]/g, ".")}$`) })).toBeVisible();
    }
  }
});

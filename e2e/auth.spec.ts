import { expect, test } from "./support/fixtures";
import { ROLES, signInThroughUi, DEMO_PASSWORD } from "./support/auth";

const landing: [string, RegExp][] = [
  [ROLES.northwindAdmin, /\/usage$/],
  [ROLES.northwindMember, /\/usage$/],
  [ROLES.contosoAdmin, /\/usage$/],
  [ROLES.contosoMember, /\/usage$/],
  [ROLES.fabrikamOwner, /\/usage$/],
  [ROLES.support, /\/support$/],
];

for (const [email, url] of landing) {
  test(`${email} signs in through the form and lands on ${url.source}`, async ({ page }) => {
    await signInThroughUi(page, email);
    await expect(page).toHaveURL(url);
  });
}

test("a wrong password gets one calm message and no session", async ({ page, seed }) => {
  const user = await seed.user();
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
  await page.goto("/usage");
  await expect(page).toHaveURL(/\/login\?next=%2Fusage$/);
});

test("a signed-out visitor is sent to /login from every customer and support page", async ({ page }) => {
  for (const path of ["/", "/usage", "/retention", "/notices", "/support", "/support/requests"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login/);
  }
});

test("the sixth attempt from one address is refused with 429 and Retry-After even with the right password", async ({ request, baseURL, seed }) => {
  // A user of its own: the failures it records lock this account out from this address.
  const { email } = await seed.user();
  const headers = { origin: baseURL!, "x-forwarded-for": "203.0.113.200" };
  for (let i = 0; i < 5; i++) {
    const r = await request.post("/api/session", { data: { email, password: `wrong-${i}` }, headers });
    expect(r.status()).toBe(401);
  }
  const sixth = await request.post("/api/session", { data: { email, password: DEMO_PASSWORD }, headers });
  expect(sixth.status()).toBe(429);
  expect(Number(sixth.headers()["retry-after"])).toBeGreaterThan(0);
  const elsewhere = await request.post("/api/session", {
    data: { email, password: DEMO_PASSWORD },
    headers: { origin: baseURL!, "x-forwarded-for": "192.0.2.201" },
  });
  expect(elsewhere.status()).toBe(200);
});

test("state changes from a foreign, null or missing Origin are refused", async ({ request, baseURL }) => {
  const body = { email: ROLES.northwindAdmin, password: DEMO_PASSWORD };
  for (const origin of ["https://evil.example", "null", undefined]) {
    const r = await request.post("/api/session", { data: body, headers: origin ? { origin } : {} });
    expect(r.status(), `origin ${origin}`).toBe(403);
  }
  const ok = await request.post("/api/session", { data: body, headers: { origin: baseURL! } });
  expect(ok.status()).toBe(200);
});

test("every page carries the security headers", async ({ request }) => {
  // The last one is answered by the production server's fast path (server.ts), before Next: a 401 without a token.
  for (const path of ["/login", "/api/health", "/api/v1/openapi.json", "/api/v1/orgs/00000000-0000-4000-8000-000000000000/retention-policy"]) {
    const r = await request.get(path);
    const h = r.headers();
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(h["x-frame-options"]).toBe("DENY");
    if (path.startsWith("/api/v1/")) expect(h["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    if (path === "/login") {
      expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    }
  }
});

test("sign-out ends the session, for a customer and for support", async ({ page }) => {
  for (const email of [ROLES.northwindMember, ROLES.support]) {
    await signInThroughUi(page, email);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/usage");
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/support");
    await expect(page).toHaveURL(/\/login/);
  }
});

test("one device is signed out from another's device list, told why, and kept where it was; then all devices after a confirmation", async ({
  browser,
  seed,
}) => {
  // An admin of its own: signing out everywhere ends every session of the user, the saved demo sessions too.
  const { admin } = await seed.org();
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (await browser.newContext()).newPage();
  await signInThroughUi(laptop, admin.email);
  await signInThroughUi(phone, admin.email);
  await phone.goto("/retention");
  await expect(phone).toHaveURL(/\/retention$/);

  await laptop.getByRole("link", { name: "Your devices" }).click();
  await expect(laptop.getByRole("heading", { name: "Your devices" })).toBeVisible();
  const devices = laptop.getByRole("list", { name: "Signed-in devices" }).getByRole("listitem");
  await expect(devices).toHaveCount(2);
  await expect(devices.filter({ hasText: "This device" })).toHaveCount(1);
  await laptop.getByRole("button", { name: /^Sign out Chrome/ }).click();
  await expect(laptop.getByRole("status").filter({ hasText: "That device is signed out" })).toBeVisible();
  await expect(devices).toHaveCount(1);

  // The phone still holds its cookie; its session row is ended, so its next request signs it out and says why.
  await phone.goto("/retention");
  await expect(phone).toHaveURL(/\/login\?next=%2Fretention&ended=ended_elsewhere$/);
  await expect(phone.getByRole("status").filter({ hasText: "this session was ended from another device" })).toBeVisible();
  // The laptop's own session goes on.
  await laptop.goto("/retention");
  await expect(laptop).toHaveURL(/\/retention$/);

  // Signing out everywhere asks first; Cancel changes nothing.
  await laptop.goto("/account/sessions");
  await laptop.getByRole("button", { name: "Sign out on all devices…" }).click();
  const dialog = laptop.getByRole("dialog", { name: "Sign out on all devices?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await laptop.goto("/retention");
  await expect(laptop).toHaveURL(/\/retention$/);
  await laptop.goto("/account/sessions");
  await laptop.getByRole("button", { name: "Sign out on all devices…" }).click();
  await laptop.getByRole("dialog", { name: "Sign out on all devices?" }).getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(laptop).toHaveURL(/\/login\?ended=signed_out_everywhere$/);
  await expect(laptop.getByRole("status").filter({ hasText: "signed out on all devices" })).toBeVisible();
});

/**
 * Every page, as each demo user, at a phone's width (390 px) and a laptop's
 * (1280 px), in the light and the dark colour scheme of the system: nothing
 * overflows sideways, axe finds no serious or critical violation (colour
 * contrast included), the emblem stays above the account name, and a
 * full-page screenshot of each page is attached to the report.
 *
 * One test per user × width × scheme, so the runs spread over the workers.
 * Read-only: these pages are looked at, never changed.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page, TestInfo } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { storageStateOf, type DemoRole } from "./support/auth";

type Visitor = DemoRole | "anonymous";

const CUSTOMER_PAGES = ["/usage", "/retention", "/projects", "/notices", "/verify", "/docs/api"];
const ADMIN_PAGES = ["/members", "/data-removal", "/settings/webhooks", "/account/two-factor"];
const SUPPORT_PAGES = [
  "/support",
  "/support/requests",
  "/support/removals",
  "/support/flags",
  "/support/tokens",
  "/support/outbox",
  "/account/two-factor",
  "/docs/api",
];
const NOT_FOUND = "/this-page-does-not-exist";
/** The pages inside the customer shell, where a ZDR org's emblem must stand above the account name. */
const inCustomerShell = (path: string) => /^\/(usage|retention|projects|notices|members|data-removal|settings)(\/|$)/.test(path);

const VISITORS: { who: Visitor; pages: string[]; emblem: boolean; project?: boolean; supportOrg?: boolean }[] = [
  { who: "northwindAdmin", pages: [...CUSTOMER_PAGES, ...ADMIN_PAGES, "/account/sessions", NOT_FOUND], emblem: true, project: true },
  // "/members" for a member: the administrators-only page (who the admins are).
  { who: "northwindMember", pages: [...CUSTOMER_PAGES, "/members", NOT_FOUND], emblem: true, project: true },
  { who: "contosoAdmin", pages: [...CUSTOMER_PAGES, ...ADMIN_PAGES], emblem: false, project: true },
  { who: "contosoMember", pages: CUSTOMER_PAGES, emblem: false },
  { who: "fabrikamOwner", pages: [...CUSTOMER_PAGES, ...ADMIN_PAGES], emblem: false },
  { who: "support", pages: [...SUPPORT_PAGES, "/account/sessions", NOT_FOUND], emblem: false, supportOrg: true },
  // The invitation and reset pages as a stranger with a link that does not work (their forms: e2e/forms.spec.ts, e2e/password-reset.spec.ts).
  { who: "anonymous", pages: ["/login", "/forgot-password", "/reset-password/no-such-token", "/invite/no-such-token", "/verify", "/docs/api"], emblem: false },
];

const WIDTHS = [390, 1280] as const;
const SCHEMES = ["light", "dark"] as const;

async function pageOf(browser: Browser, who: Visitor, width: number, colorScheme: "light" | "dark"): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: 844 },
    colorScheme,
    ...(who === "anonymous" ? {} : { storageState: storageStateOf(who) }),
  });
  return context.newPage();
}

/** The address of the first link matching `pattern` on `from` (a project page, the support page of Northwind). */
async function firstLink(page: Page, from: string, pattern: RegExp): Promise<string | null> {
  await page.goto(from);
  const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
  return hrefs.find((h) => pattern.test(h)) ?? null;
}

async function check(page: Page, testInfo: TestInfo, path: string, label: string, emblem: boolean, problems: string[]) {
  const response = await page.goto(path);
  expect(response, `${label}: an answer`).not.toBeNull();
  // Every widget has streamed in when no loading region is left.
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 20_000 });

  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  if (scrollWidth > clientWidth) {
    const wide = await page.evaluate((cw) => {
      const out: string[] = [];
      for (const el of Array.from(document.querySelectorAll("body *"))) {
        const r = el.getBoundingClientRect();
        if (r.right > cw + 1 && out.length < 5) out.push(`${el.tagName.toLowerCase()}.${String(el.className).slice(0, 60)} right=${Math.round(r.right)}`);
      }
      return out;
    }, clientWidth);
    problems.push(`${label}: overflows by ${scrollWidth - clientWidth}px (${wide.join(" | ")})`);
  }

  if (emblem && inCustomerShell(path)) {
    const e = await page.getByTestId("zdr-emblem").boundingBox({ timeout: 5_000 });
    const n = await page.getByTestId("account-name").boundingBox({ timeout: 5_000 });
    if (!e || !n) problems.push(`${label}: emblem or account name not visible`);
    else if (e.y + e.height > n.y) problems.push(`${label}: the emblem is not above the account name`);
  }

  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of serious) problems.push(`${label}: axe ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);

  // Written to the test's output folder (kept after the run) and attached to the report.
  const file = testInfo.outputPath(`${label.replace(/[^a-z0-9]+/gi, "-")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(`${label}.png`, { path: file, contentType: "image/png" });
}

for (const v of VISITORS) {
  for (const width of WIDTHS) {
    for (const scheme of SCHEMES) {
      test(`${v.who} at ${width} px, ${scheme}: no sideways overflow, nothing serious for axe${v.emblem ? ", the emblem above the account name" : ""}`, async ({
        browser,
      }, testInfo) => {
        test.setTimeout(360_000);
        const page = await pageOf(browser, v.who, width, scheme);
        const pages = [...v.pages];
        if (v.project) {
          const project = await firstLink(page, "/projects", /^\/projects\/[0-9a-f-]{36}$/);
          if (project) pages.push(project);
        }
        if (v.supportOrg) {
          const org = await firstLink(page, "/support", /^\/support\/orgs\/[0-9a-f-]{36}$/);
          expect(org, "an account page in the support console").toBeTruthy();
          pages.push(org!);
        }
        const problems: string[] = [];
        for (const path of pages) {
          const name = path === NOT_FOUND ? "404" : path.replace(/[0-9a-f-]{36}/, "{id}");
          await check(page, testInfo, path, `${v.who} ${width}px ${scheme} ${name}`, v.emblem, problems);
        }
        await page.context().close();
        expect(problems).toEqual([]);
      });
    }
  }
}

test("the 404 page is the app's, its scripts run under the nonce CSP, and it links back to the dashboard", async ({ as }) => {
  const page = await as("northwindMember");
  const blocked: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) blocked.push(m.text());
  });
  const r = await page.goto(NOT_FOUND);
  expect(r?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/does not exist/);
  await expect(page.getByRole("link", { name: "Go to your dashboard" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(blocked).toEqual([]);
});

test("an unknown machine API path answers problem+json 404, not a page", async ({ request }) => {
  const r = await request.get("/api/v1/no-such-thing");
  expect(r.status()).toBe(404);
  expect(r.headers()["content-type"]).toContain("application/problem+json");
  const body = await r.json();
  expect(body.status).toBe(404);
});

test("on a phone the menu is a disclosure: it opens, takes focus, and Escape closes it and gives focus back", async ({ browser }) => {
  const page = await pageOf(browser, "northwindAdmin", 390, "light");
  await page.goto("/usage");
  const button = page.getByRole("button", { name: "Menu" });
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  // The emblem and the account name stay in the top bar while the menu is closed.
  await expect(page.getByTestId("zdr-emblem")).toBeVisible();
  await expect(page.getByTestId("account-name")).toBeVisible();
  await button.focus();
  await page.keyboard.press("Enter");
  await expect(button).toHaveAttribute("aria-expanded", "true");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeVisible();
  await expect(nav.getByRole("link", { name: "Usage" })).toBeFocused();
  await expect(nav.getByRole("link", { name: "Usage" })).toHaveAttribute("aria-current", "page");
  await page.keyboard.press("Escape");
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  await expect(button).toBeFocused();
  await page.context().close();
});

test("at 1280 px the sidebar shows the navigation without a menu button", async ({ browser }) => {
  const page = await pageOf(browser, "northwindAdmin", 1280, "dark");
  await page.goto("/retention");
  await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Data retention" })).toHaveAttribute("aria-current", "page");
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toContain("dark");
  await page.context().close();
});

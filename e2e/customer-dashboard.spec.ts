import zlib from "node:zlib";
import AxeBuilder from "@axe-core/playwright";
import type { Page, TestInfo } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import type { DemoRole } from "./support/auth";
import { byUnit, CSV_SECTIONS, readUsageCsv } from "@/lib/usage/csv";

const PAGES = ["/usage", "/retention", "/notices"] as const;

async function expectNoSeriousAxeViolation(page: Page, testInfo: TestInfo, label: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (serious.length) {
    await testInfo.attach(`axe ${label}`, { body: JSON.stringify(serious, null, 2), contentType: "application/json" });
  }
  expect(
    serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    label,
  ).toEqual([]);
}

async function waitForWidgets(page: Page) {
  // Every widget has streamed in when no loading region is left.
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
}

for (const role of ["northwindAdmin", "northwindMember"] as DemoRole[]) {
  test(`${role} sees the active emblem above the account name on every page, and axe finds nothing serious`, async ({ as }, testInfo) => {
    const page = await as(role);
    for (const path of PAGES) {
      await page.goto(path);
      await waitForWidgets(page);
      const emblem = page.getByTestId("zdr-emblem");
      const name = page.getByTestId("account-name");
      await expect(emblem).toBeVisible();
      await expect(emblem).toHaveAttribute("data-state", "active");
      await expect(emblem).toHaveAccessibleName(/Zero Data Retention/);
      await expect(name).toHaveAccessibleName("Northwind Health");
      const e = (await emblem.boundingBox())!;
      const n = (await name.boundingBox())!;
      expect(e.y + e.height, `${path}: emblem bottom above the name's top`).toBeLessThanOrEqual(n.y);
      await expectNoSeriousAxeViolation(page, testInfo, `${role} ${path}`);
    }
  });
}

for (const role of ["contosoAdmin", "contosoMember", "fabrikamOwner"] as DemoRole[]) {
  test(`${role} sees no emblem (ZDR requested or off), and axe finds nothing serious`, async ({ as }, testInfo) => {
    const page = await as(role);
    for (const path of PAGES) {
      await page.goto(path);
      await waitForWidgets(page);
      await expect(page.getByTestId("account-name")).toBeVisible();
      await expect(page.getByTestId("zdr-emblem")).toHaveCount(0);
      await expectNoSeriousAxeViolation(page, testInfo, `${role} ${path}`);
    }
  });
}

test("the emblem is reached with the keyboard and opens a short panel with a link to /retention", async ({ as }) => {
  const page = await as("northwindMember");
  await page.goto("/usage");
  const emblem = page.getByTestId("zdr-emblem");
  for (let i = 0; i < 5 && !(await emblem.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
  await expect(emblem).toBeFocused();
  await page.keyboard.press("Enter");
  const panel = page.locator("details:has([data-testid=zdr-emblem])");
  await expect(panel).toHaveAttribute("open", "");
  await expect(panel).toContainText("on the request of Nadia Okafor");
  await expect(panel).toContainText("every request of this organization");
  await expect(panel).toContainText("never written to a database, log or backup");
  await panel.getByRole("link", { name: "Data retention details" }).click();
  await expect(page).toHaveURL(/\/retention$/);
});

test("the range lives in the URL and each range renders totals, chart and breakdowns", async ({ as }) => {
  // Four ranges of Northwind's 90 days, each rendered and its numbers table opened: 49-66 s on a loaded 2-core machine.
  test.slow();
  const page = await as("northwindMember");
  for (const key of ["24h", "7d", "30d", "90d"]) {
    await page.goto("/usage");
    await page.getByRole("link", { name: `Last ${key}` }).click();
    await expect(page).toHaveURL(new RegExp(`range=${key}$`));
    await waitForWidgets(page);
    await expect(page.getByRole("link", { name: `Last ${key}` })).toHaveAttribute("aria-current", "true");
    await expect(page.getByTestId("total-requests")).toBeVisible();
    await expect(page.getByRole("heading", { name: key === "24h" ? "Requests and amounts per hour" : "Requests and amounts per day" })).toBeVisible();
    // The last hour or day of a named range is still in progress, and the chart says so.
    await expect(page.getByText(`The last ${key === "24h" ? "hour" : "day"} is still in progress`)).toBeVisible();
    // The chart's numbers open from the keyboard, one row per hour or day of the range.
    const table = page.getByRole("table", { name: key === "24h" ? "Requests and amounts per unit, per hour" : "Requests and amounts per unit, per day" });
    await expect(table).toHaveCount(0);
    await page.getByText("Show the numbers").focus();
    await page.keyboard.press("Enter");
    await expect(table.locator("tbody tr")).toHaveCount(key === "24h" ? 24 : Number(key.slice(0, -1)));
  }
  // A refused custom range: the reason beside the fields, named in plain words; what was typed stays; no figures.
  await page.goto("/usage?range=custom&from=2026-02-30&to=2026-03-01");
  await expect(page.getByRole("alert").filter({ hasText: "From: Feb 30, 2026 is not a date." })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "2026-02-30" })).toHaveCount(0);
  await expect(page.getByLabel("From", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("To", { exact: true })).toHaveValue("2026-03-01");
  await expect(page.getByText("No figures are shown until the custom range is corrected")).toBeVisible();
  await expect(page.getByTestId("total-requests")).toHaveCount(0);
  // No day after today (in the org's time zone) can be picked, nor asked for in the URL.
  await expect(page.getByLabel("To", { exact: true })).toHaveAttribute("max", /^\d{4}-\d{2}-\d{2}$/);
  await page.goto("/usage?range=custom&from=2026-01-01&to=2099-01-01");
  await expect(page.getByRole("alert").filter({ hasText: "The range ends in the future: To is after today" })).toBeVisible();
});

test("the CSV export holds exactly the totals and breakdown rows the page shows", async ({ as }) => {
  const page = await as("northwindAdmin");
  await page.goto("/usage?range=7d");
  await waitForWidgets(page);
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await (await download).path();
  const csv = readUsageCsv((await import("node:fs")).readFileSync(file, "utf8"));
  const totals = csv.get(CSV_SECTIONS.totals)!;
  // Times are labelled with the org's zone ("start (America/New_York)") and carry its offset.
  expect(totals.header[1]).toMatch(/^start \([A-Za-z_/+-]+\)$/);
  expect(totals.rows[0][1]).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00[+-]\d{2}:\d{2}$/);
  const fmt = (v: string) => Number(v).toLocaleString("en-US");
  const current = totals.rows.find((r) => r[0] === "current")!;
  await expect(page.getByTestId("total-requests")).toContainText(fmt(current[3]));
  // Amounts per unit: the Input card lists each unit of the CSV's current input rows, never one mixed sum.
  const inputUnits = csv.get(byUnit(CSV_SECTIONS.totals))!.rows.filter((r) => r[0] === "current" && r[1] === "input");
  expect(inputUnits.length).toBeGreaterThan(0);
  for (const [, , amount, unit] of inputUnits) await expect(page.getByTestId("total-inputUnits").getByTitle(`${fmt(amount)} ${unit}`)).toBeVisible();
  const apiKeys = page.getByRole("table", { name: "Usage by api key" }).locator("tbody tr");
  const csvKeys = csv.get(CSV_SECTIONS.apiKey)!.rows;
  await expect(apiKeys).toHaveCount(csvKeys.length);
  for (let i = 0; i < csvKeys.length; i++) {
    await expect(apiKeys.nth(i).locator("th")).toHaveText(csvKeys[i][1]);
    await expect(apiKeys.nth(i).locator("td").first()).toHaveText(fmt(csvKeys[i][2]));
  }
  const days = csv.get(CSV_SECTIONS.daily)!;
  expect(days.header[0]).toMatch(/^day_start \(/);
  expect(days.rows).toHaveLength(7);
});

test("the CSV export refuses a bad range with a 400 naming the field, and sends a signed-out visitor to sign in", async ({ as, playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  const signedOut = await anonymous.get("/usage/export?range=7d", { maxRedirects: 0 });
  expect([401, 302, 303, 307]).toContain(signedOut.status());
  expect(signedOut.headers()["content-type"] ?? "").not.toContain("text/csv");
  const page = await as("northwindMember");
  const r = await page.request.get("/usage/export?range=forever");
  expect(r.status()).toBe(400);
  expect(r.headers()["content-type"]).toContain("application/problem+json");
  const body = await r.json();
  expect(body.errors.map((e: { path: string }) => e.path)).toEqual(["range"]);
  expect(JSON.stringify(body)).not.toContain("forever");
});

test("/usage first-load JavaScript stays under 200 KB gzip (the chart loads after)", async ({ as, baseURL }, testInfo) => {
  const page = await as("northwindMember");
  const html = await (await page.request.get("/usage")).text();
  const scripts = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]))];
  let gzip = 0;
  let raw = 0;
  for (const src of scripts) {
    const body = await (await page.request.get(new URL(src, baseURL).toString())).body();
    raw += body.length;
    gzip += zlib.gzipSync(body, { level: 9 }).length;
  }
  await testInfo.attach("first-load-js.json", {
    body: JSON.stringify({ scripts: scripts.length, rawBytes: raw, gzipBytes: gzip }),
    contentType: "application/json",
  });
  expect(gzip).toBeLessThan(200_000);
});

test("Contoso sees its pending request with its age; Fabrikam sees why ZDR is not available and how to upgrade", async ({ as }) => {
  let page = await as("contosoMember");
  await page.goto("/retention");
  await expect(page.getByTestId("retention-state")).toHaveText("Pending");
  await expect(page.getByTestId("request-age")).toHaveText(/\d+ hours/);
  await expect(page.getByRole("button", { name: "Request Zero Data Retention" })).toHaveCount(0);
  page = await as("fabrikamOwner");
  await page.goto("/retention");
  await expect(page.getByText("available on the enterprise plan")).toBeVisible();
  await expect(page.getByRole("link", { name: "sales@provider.example" })).toHaveAttribute("href", /^mailto:sales@provider.example/);
  await expect(page.getByText("Content may be used for training")).toBeVisible();
});

test("a restricted org shows the warning state, never the active one, until the restriction is lifted", async ({ as, seed }) => {
  const org = await seed.org({ label: "Restricted Health", zdr: "active" });
  const support = await as("support");
  await support.goto(`/support/orgs/${org.id}`);
  await support.getByRole("button", { name: "Restrict ZDR…" }).click();
  const form = support.getByRole("form", { name: "Restrict ZDR" });
  await form.getByLabel("Reason category").selectOption("automated_flag");
  await form.getByLabel("Note to the organization's admins").fill("Automated review of the account.");
  await form.getByLabel("Ticket reference").fill("SUP-9001");
  await form.getByRole("checkbox").check();
  await form.getByRole("button", { name: "Restrict ZDR" }).click();
  await expect(support.getByTestId("action-banner")).toContainText(`restricted for ${org.name}`);

  const page = await as(org.member);
  for (const path of PAGES) {
    await page.goto(path);
    const emblem = page.getByTestId("zdr-emblem");
    await expect(emblem).toHaveAttribute("data-state", "restricted");
    await expect(emblem).toHaveAccessibleName(/restricted/i);
    await expect(emblem).not.toContainText("Active");
    const e = (await emblem.boundingBox())!;
    const n = (await page.getByTestId("account-name").boundingBox())!;
    expect(e.y + e.height).toBeLessThanOrEqual(n.y);
  }
  await page.goto("/retention");
  await expect(page.getByTestId("retention-state")).toHaveText("Restricted");
  await expect(page.getByRole("region", { name: "Zero Data Retention" }).getByText("not honoured")).toBeVisible();
  // The coverage tells the gap as it is: not honoured since the restriction.
  await expect(page.getByTestId("zdr-coverage").locator("tbody tr").first()).toHaveAttribute("data-honoured", "false");
  await expect(page.getByTestId("zdr-coverage").locator("tbody tr").first()).toContainText("ZDR restricted");

  await support.reload();
  await support.getByRole("button", { name: "Lift restriction…" }).click();
  const lift = support.getByRole("form", { name: "Lift restriction" });
  await lift.getByLabel("Reason").fill("Review complete.");
  await lift.getByLabel("Ticket reference").fill("SUP-9001");
  await lift.getByRole("checkbox").check();
  await lift.getByRole("button", { name: "Lift restriction" }).click();
  await expect(support.getByText("Lift restriction", { exact: true })).toHaveCount(0);
  // Lifting restores the previous state: the active emblem is back on the next page load.
  await expect
    .poll(async () => {
      await page.goto("/usage");
      return page.getByTestId("zdr-emblem").getAttribute("data-state");
    })
    .toBe("active");
});

async function supportAction(support: Page, orgId: string, kind: "Disable ZDR" | "Enable ZDR", reason: string) {
  await support.goto(`/support/orgs/${orgId}`);
  await support.getByRole("button", { name: `${kind}…` }).click();
  const form = support.getByRole("form", { name: kind });
  await form.getByLabel("Reason").fill(reason);
  await form.getByLabel("Ticket reference").fill("SUP-9002");
  await form.getByRole("checkbox").check();
  await form.getByRole("button", { name: kind }).click();
  // Done when the account's audit trail shows the entry.
  await expect(support.getByRole("cell", { name: reason })).toBeVisible();
}

test("an admin of an enterprise org without ZDR requests it; it shows as pending, with no emblem, until support enables it", async ({ as, seed }) => {
  const org = await seed.org({ label: "Requesting Health", zdr: "active" });
  const support = await as("support");
  await supportAction(support, org.id, "Disable ZDR", "Customer asked to pause ZDR for a test.");
  const page = await as(org.admin);
  await page.goto("/retention");
  await expect(page.getByTestId("zdr-emblem")).toHaveCount(0);
  await expect(page.getByTestId("retention-state")).toHaveText("Off");
  await page.getByLabel(/Why you need it/).fill("HIPAA: clinical dictation.");
  await page.getByRole("button", { name: "Request Zero Data Retention" }).click();
  // The page re-renders from the new state: the form gives way to the pending request.
  await expect(page.getByTestId("retention-state")).toHaveText("Pending");
  await expect(page.getByTestId("request-age")).toHaveText(/minute/);
  await expect(page.getByRole("button", { name: "Request Zero Data Retention" })).toHaveCount(0);
  await expect(page.getByTestId("zdr-emblem")).toHaveCount(0);
  await expect(page.getByRole("table", { name: "Retention audit trail, newest first" }).locator("tbody tr").first()).toContainText("ZDR requested");

  await supportAction(support, org.id, "Enable ZDR", "Requester verified as an administrator.");
  await expect
    .poll(async () => {
      await page.goto("/usage");
      return page.getByTestId("zdr-emblem").getAttribute("data-state");
    })
    .toBe("active");
});

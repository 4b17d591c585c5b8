/**
 * Projects, as an org admin and a member would use them: create, tighten,
 * read the effective values with their source; a loosening is refused and
 * nothing changes; a member reads but cannot change; the emblem and
 * /retention still derive from the one state. Each test uses an org of its own.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./support/fixtures";

test("an admin creates a project, tightens its retention and sees the effective values with their source; loosening is refused", async ({
  as,
  seed,
}, testInfo) => {
  const org = await seed.org({ label: "Projects", zdr: "active" });
  const page = await as(org.admin);
  await page.goto("/projects");
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();

  // Keyboard only: type the name, submit with Enter.
  await page.getByLabel("Name").fill("Clinical notes");
  await page.getByLabel("Name").press("Enter");
  await expect(page.locator("#project-create-status")).toContainText("Project Clinical notes created");
  await page.getByRole("link", { name: "Open the new project" }).click();
  await expect(page.getByRole("heading", { name: "Clinical notes", level: 1 })).toBeVisible();
  await expect(page.getByTestId("effective-contentRetentionDays")).toHaveText("Content: kept 30 days — the organization's setting.");
  await expect(page.getByTestId("effective-contentRetentionDays")).toHaveAttribute("data-source", "organization");

  // Tighten: 7 days instead of the organization's 30.
  await page.getByLabel("Content retention (days)").fill("7");
  await page.getByRole("button", { name: "Save retention settings" }).click();
  await expect(page.locator("#project-policy-status")).toContainText("Retention settings of Clinical notes saved");
  await page.reload();
  await expect(page.getByTestId("effective-contentRetentionDays")).toHaveText("Content: kept 7 days — set on this project; the organization keeps 30.");
  await expect(page.getByTestId("effective-contentRetentionDays")).toHaveAttribute("data-source", "project");

  // Loosen: 60 days is more than the organization keeps. Refused, with the bound, and nothing changes.
  await page.getByLabel("Content retention (days)").fill("60");
  await page.getByRole("button", { name: "Save retention settings" }).click();
  await expect(page.locator("#project-policy-status")).toContainText("nothing was changed");
  await expect(page.locator("#project-policy-contentRetentionDays-error")).toContainText("at most 30 days, the organization's content retention");
  await page.reload();
  await expect(page.getByTestId("effective-contentRetentionDays")).toHaveText("Content: kept 7 days — set on this project; the organization keeps 30.");

  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (serious.length) await testInfo.attach("axe /projects/[id]", { body: JSON.stringify(serious, null, 2), contentType: "application/json" });
  expect(serious.map((v) => v.id)).toEqual([]);

  // The emblem and /retention come from the same one state: ZDR active, and the project's content line on /retention.
  await page.goto("/retention");
  await expect(page.getByTestId("zdr-emblem")).toHaveAttribute("data-state", "active");
  const projectContent = page.getByTestId("content-project").filter({ hasText: "Clinical notes" });
  await expect(projectContent).toContainText("kept 7 days");
  await expect(page.getByTestId("content-organization")).toContainText("kept 30 days");
  // The audit trail names the change.
  await expect(page.getByRole("table", { name: "Retention audit trail, newest first" }).locator("tbody tr").first()).toContainText("Project retention changed");
});

test("a member reads a project's effective values but cannot change them", async ({ as, seed }) => {
  const org = await seed.org({ label: "Projects member", zdr: "active" });
  const admin = await as(org.admin);
  await admin.goto("/projects");
  await admin.getByLabel("Name").fill("Hotline");
  await admin.getByRole("button", { name: "Create project" }).click();
  await expect(admin.locator("#project-create-status")).toContainText("Project Hotline created");

  const page = await as(org.member);
  await page.goto("/projects");
  await expect(page.getByLabel("Name")).toHaveCount(0);
  await page.getByRole("link", { name: "Hotline" }).click();
  await expect(page.getByTestId("effective-policy")).toContainText("Content: kept 30 days");
  await expect(page.getByRole("button", { name: "Save retention settings" })).toHaveCount(0);
  await expect(page.getByText("Only an administrator of your organization can change this project.")).toBeVisible();
});

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ROLES, signInThroughUi } from "./support/auth";

// Uses the demo seed's Northwind audit trail read-only (the embedded database is the server's; no other process may write it).

function alterOneByte(text: string): string {
  const at = text.indexOf('"action": "zdr.enabled"');
  expect(at).toBeGreaterThan(0);
  const i = at + '"action": "zdr.enable'.length;
  return text.slice(0, i) + "E" + text.slice(i + 1);
}

function cli(file: string) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/verify.ts", file], {
    encoding: "utf8",
    env: { ...process.env, DATA_DIR: path.dirname(file) },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test("an admin downloads the audit export, it verifies on /verify and with the CLI, and one altered byte fails both", async ({ page }) => {
  await signInThroughUi(page, ROLES.northwindAdmin);
  await page.goto("/retention");
  await expect(page.getByTestId("latest-checkpoint")).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download the audit log/ }).click()]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-e2e-verify-"));
  const genuine = path.join(dir, "audit-log.json");
  await download.saveAs(genuine);
  const text = fs.readFileSync(genuine, "utf8");
  expect(JSON.parse(text).entries.length).toBeGreaterThan(0);
  const altered = path.join(dir, "altered.json");
  fs.writeFileSync(altered, alterOneByte(text));

  await page.goto("/verify");
  const result = page.getByTestId("verify-result");
  await page.getByLabel("Drop a file here, or choose one").setInputFiles(genuine);
  await expect(result.locator('[data-state="verified"]')).toContainText("audit export");
  await expect(result).toContainText("not that no copy of data exists elsewhere");
  await page.getByLabel("Drop a file here, or choose one").setInputFiles(altered);
  await expect(result.locator('[data-state="failed"]')).toContainText(/Entry \d+/);

  // Pasting works too, and keyboard alone reaches the button.
  await page.getByLabel("Or paste the document").fill("not a document");
  await page.getByLabel("Or paste the document").press("Tab");
  await page.keyboard.press("Enter");
  await expect(result.locator('[data-state="failed"]')).toContainText("not a document we issue");

  const ok = cli(genuine);
  expect(ok.status, ok.out).toBe(0);
  const bad = cli(altered);
  expect(bad.status, bad.out).toBe(2);
  expect(bad.out).toMatch(/NOT VERIFIED \(audit export\): Entry \d+/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("an admin downloads last month's signed statement, it verifies on /verify and with the CLI, and one altered byte fails both", async ({ page }) => {
  await signInThroughUi(page, ROLES.northwindAdmin);
  await page.goto("/retention");
  // ZDR coverage, from the audit log: the demo's Northwind is honoured since it was enabled.
  await expect(page.getByTestId("zdr-coverage").locator('tr[data-honoured="true"]').first()).toContainText("ZDR enabled");
  const link = page
    .getByTestId("statements")
    .getByRole("link", { name: /Download the statement for \d{4}-\d{2}/ })
    .first();
  await expect(link).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-e2e-statement-"));
  const genuine = path.join(dir, "statement.json");
  await download.saveAs(genuine);
  const text = fs.readFileSync(genuine, "utf8");
  const at = text.indexOf('"statement": "') + '"statement": "'.length + 80;
  const altered = path.join(dir, "altered.json");
  fs.writeFileSync(altered, text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1));

  await page.goto("/verify");
  const result = page.getByTestId("verify-result");
  await page.getByLabel("Drop a file here, or choose one").setInputFiles(genuine);
  await expect(result.locator('[data-state="verified"]')).toContainText("retention statement");
  await expect(result).toContainText("under ZDR");
  await page.getByLabel("Drop a file here, or choose one").setInputFiles(altered);
  await expect(result.locator('[data-state="failed"]')).toBeVisible();

  const ok = cli(genuine);
  expect(ok.status, ok.out).toBe(0);
  expect(ok.out).toContain("VERIFIED (retention statement)");
  const bad = cli(altered);
  expect(bad.status, bad.out).toBe(2);
  expect(bad.out).toMatch(/NOT VERIFIED/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a member gets no audit export", async ({ page }) => {
  await signInThroughUi(page, ROLES.northwindMember);
  const res = await page.request.get("/retention/audit-log.json");
  expect(res.status()).toBe(403);
});

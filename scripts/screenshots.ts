/**
 * Screenshots of /usage and /retention for a report (`npm run screenshots`):
 * a script, not a test, since it asserts nothing. It drives Debian's Chromium
 * against a running server (`npm start`, or `npm run dev`) with the demo world,
 * signed in as Northwind's admin, and writes full-page PNGs.
 *
 *   npm run screenshots -- [--url http://127.0.0.1:3000] [--out reports/screenshots]
 */
import fs from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";
import { DEMO_PASSWORD } from "@/lib/demo/seed";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const url = arg("url", process.env.APP_URL ?? "http://localhost:3000").replace(/\/$/, "");
const out = arg("out", path.join("reports", "screenshots"));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(`${url}/login`);
  await page.getByLabel("Email").fill("admin@northwind.example");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  fs.mkdirSync(out, { recursive: true });

  await page.goto(`${url}/usage`);
  // Every widget has streamed in when no loading region is left, and the chart is drawn.
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  await page.locator(".recharts-surface").first().waitFor();
  await page.screenshot({ path: path.join(out, "usage.png"), fullPage: true });

  await page.goto(`${url}/retention`);
  await page.screenshot({ path: path.join(out, "retention.png"), fullPage: true });
  console.log(`Wrote ${path.join(out, "usage.png")} and ${path.join(out, "retention.png")} from ${url}.`);
} catch (err) {
  console.error(`screenshots: ${(err as Error).message} (is the server running at ${url} with the demo world?)`);
  process.exitCode = 1;
} finally {
  await browser.close();
}

import type { Page } from "@playwright/test";
import { startWebhookReceiver, type Receiver } from "../tests/helpers/webhook-receiver";
import { expect, test } from "./support/fixtures";

/** The receiver this spec runs; E2E_PORT + 5 stays inside the ports of this suite's range. */
const RECEIVER_PORT = Number(process.env.E2E_PORT ?? 3100) + 5;
let rx: Receiver;

test.beforeAll(async () => {
  rx = await startWebhookReceiver(RECEIVER_PORT);
});
test.afterAll(async () => {
  await rx?.close();
});

type Event = { type: string; timestamp: string; data: Record<string, unknown> };
const events = () => [...rx.unique().values()].map((r) => ({ ...r, event: JSON.parse(r.body) as Event }));

/** Restricts the org, or lifts its restriction: whichever the console offers. */
async function toggleRestriction(page: Page, orgName: string) {
  await page.goto(`/support?q=${encodeURIComponent(orgName)}`);
  await page.getByRole("link", { name: orgName }).click();
  const open = page.getByRole("button", { name: /^(Restrict ZDR|Lift restriction)…$/ });
  await open.waitFor();
  const restricting = (await open.textContent())!.includes("Restrict");
  await open.click();
  const f = page.getByRole("form", { name: restricting ? "Restrict ZDR" : "Lift restriction" });
  if (restricting) {
    await f.getByLabel("Reason category").selectOption("provider_discretion");
    await f.getByLabel("Note to the organization's admins").fill("Webhook spec: restriction under review");
  } else {
    await f.getByLabel("Reason").fill("Webhook spec: review finished");
  }
  await f.getByLabel("Ticket reference").fill("SUP-8001");
  await f.getByRole("checkbox").check();
  await f.getByRole("button", { name: restricting ? "Restrict ZDR" : "Lift restriction" }).click();
  // The console then offers the opposite transition.
  const next = restricting ? "Lift restriction" : "Restrict ZDR";
  await expect(
    page
      .getByRole("button", { name: `${next}…` })
      .or(page.getByRole("form", { name: next }))
      .first(),
  ).toBeVisible();
  return restricting ? "zdr.restricted" : "zdr.restriction_lifted";
}

test("an admin adds a webhook, a test event and a support action arrive signed; a receiver that was down gets every event once", async ({ as, seed }) => {
  // A minute of outage, then the outbox's backoff (2 s, 4 s, … doubling, ±20%) reaches the receiver within about a minute more.
  test.setTimeout(300_000);
  // An org of the test's own, ZDR active, so support can restrict it and lift the restriction.
  const org = await seed.org({ label: "Webhooks", zdr: "active" });
  const admin = await as(org.admin);
  await admin.goto("/settings/webhooks");
  await admin.getByLabel("Endpoint URL").fill(rx.url);
  await admin.getByRole("button", { name: "Add endpoint" }).click();
  const secret = (await admin.getByTestId("webhook-secret").textContent())!.trim();
  expect(secret).toMatch(/^whsec_/);
  rx.setSecrets([secret]);

  // Send test event: one signed request, verified with the standardwebhooks library.
  await admin.reload();
  await admin.getByRole("button", { name: "Send test event" }).click();
  await expect.poll(() => events().filter((e) => e.event.type === "webhook.test").length, { timeout: 10_000 }).toBe(1);
  expect(events().every((e) => e.verified)).toBe(true);
  await admin.reload();
  await expect(admin.getByTestId("webhook-delivery").first()).toHaveAttribute("data-status", "delivered");

  // A support action delivers a signed event within 5 s of its commit.
  const page = await as("support");
  const before = events().length;
  const type = await toggleRestriction(page, org.name);
  const acted = Date.now();
  await expect.poll(() => events().length, { timeout: 5_000 }).toBe(before + 1);
  const last = events().at(-1)!;
  expect(last.event.type).toBe(type);
  expect(last.verified).toBe(true);
  expect(last.receivedAt - acted).toBeLessThan(5_000);
  expect(last.body).not.toMatch(/@|Webhook spec/);

  // The receiver is down for a minute; three more actions happen meanwhile; it comes back: every event arrives, once per webhook-id.
  await rx.close();
  const downSince = Date.now();
  const types: string[] = [];
  for (let i = 0; i < 3; i++) types.push(await toggleRestriction(page, org.name));
  await page.waitForTimeout(Math.max(0, 60_000 - (Date.now() - downSince)));
  rx = await startWebhookReceiver(RECEIVER_PORT);
  rx.setSecrets([secret]);
  await expect.poll(() => rx.unique().size, { timeout: 150_000, intervals: [1_000] }).toBe(3);
  expect([...rx.unique().values()].every((r) => r.verified)).toBe(true);
  expect(
    events()
      .map((e) => e.event.type)
      .sort(),
  ).toEqual([...types].sort());
  // Duplicates may arrive (at least once); the dedupe by webhook-id leaves one of each.
  expect(new Set(rx.requests.map((r) => r.id)).size).toBe(3);
});

import { compactVerify, createLocalJWKSet } from "jose";
import { ROLES } from "./support/auth";
import { expect, test } from "./support/fixtures";

/** Calendar days in the seeded org's time zone (UTC), as /usage and the removal form count them. */
function day(offset: number): string {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

test("an admin requests a removal, support approves it, the admin sees the counts and a certificate that verifies, and /usage shows nothing for those days", async ({
  as,
  seed,
  baseURL,
}) => {
  // Three people, a job run and a certificate: more than a minute on a loaded 2-core machine.
  test.slow();
  const from = day(-12);
  const to = day(-10);
  const usageUrl = `/usage?range=custom&from=${from}&to=${to}`;

  // An org of the test's own with 14 days of usage: the admin sees data for the days first.
  const org = await seed.org({ label: "Removal", zdr: "active", usage: { days: 14, perDay: 20 } });
  const admin = await as(org.admin);
  await admin.goto(usageUrl);
  await expect(admin.getByText("No requests in this range")).toHaveCount(0);

  await admin.getByRole("navigation").getByRole("link", { name: "Data removal" }).click();
  await expect(admin.getByRole("heading", { name: "Data removal", level: 1 })).toBeVisible();
  const form = admin.getByTestId("removal-request-form");
  await form.getByLabel("Days").selectOption("custom");
  // Reversed days: refused next to the field, and what was typed stays.
  await form.getByLabel("First day").fill(to);
  await form.getByLabel("Last day").fill(from);
  await form.getByRole("button", { name: "Request removal" }).click();
  await expect(form.getByLabel("Last day")).toHaveAttribute("aria-invalid", "true");
  await expect(form.locator("#to-error")).toHaveText("must be on or after the first day");
  await expect(form.getByLabel("First day")).toHaveValue(to);
  await form.getByLabel("First day").fill(from);
  await form.getByLabel("Last day").fill(to);
  await form.getByRole("button", { name: "Request removal" }).click();
  await expect(form.getByRole("status")).toContainText(`Removal of ${from} to ${to} requested for ${org.name}`);
  await admin.reload();
  await expect(admin.getByTestId("removal-row").first()).toContainText("Pending review");

  // Support approves from the queue with a reason and a ticket.
  const support = await as("support");
  await support.goto("/support");
  await support.getByRole("navigation", { name: "Support" }).getByRole("link", { name: "Removals" }).click();
  const row = support
    .getByTestId("removal-request")
    .filter({ hasText: org.name })
    .filter({ hasText: `${from} to ${to}` });
  await row.getByLabel("Reason").fill("Verified with the account owner by phone");
  await row.getByLabel("Ticket").fill("SUP-8100");
  await row.getByRole("button", { name: "Approve" }).click();
  // Approved: the row's decision form gives way to the state (approved, running or already completed).
  await expect(row.getByTestId("removal-status")).not.toHaveText("Pending review");
  await expect(row.getByTestId("removal-review-form")).toHaveCount(0);

  // The admin sees it completed, with counts, and downloads the certificate.
  await admin.goto("/data-removal");
  await admin
    .getByRole("link", { name: `${from} to ${to}` })
    .first()
    .click();
  // The link is a client-side navigation: wait for it to land before reloading, or the reload keeps the list page.
  await admin.waitForURL(/\/data-removal\/[0-9a-f-]{36}$/);
  await expect(async () => {
    await admin.reload();
    await expect(admin.getByTestId("removal-status")).toHaveText("Completed", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  const removed = Number((await admin.getByTestId("count-usage_events").innerText()).replace(/,/g, ""));
  expect(removed).toBeGreaterThan(0);
  const download = admin.waitForEvent("download");
  await admin.getByRole("link", { name: "Download certificate" }).click();
  const file = await download;
  const jws = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
  const keys = await (await admin.request.get(`${baseURL}/.well-known/jwks.json`)).json();
  const { payload } = await compactVerify(jws, createLocalJWKSet(keys));
  const cert = JSON.parse(new TextDecoder().decode(payload));
  expect(cert).toMatchObject({ type: "removal_certificate", range: { fromDay: from, toDay: to }, approvedBy: { label: ROLES.support, ticketRef: "SUP-8100" } });
  expect(cert.removed[0]).toMatchObject({ store: "usage_events", rows: removed });

  // The dashboard for the removed days shows nothing left.
  await admin.goto(usageUrl);
  await expect(admin.getByText("No requests in this range").first()).toBeVisible();
});

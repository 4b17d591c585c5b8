import { expect, test } from "./support/fixtures";

/** Calendar days in the seeded org's time zone (UTC), as /usage counts them. */
function day(offset: number): string {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

/** A calendar day as the page says it: "Nov 2, 2026". */
const said = (d: string) => new Date(`${d}T00:00:00Z`).toLocaleDateString("en-US", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });

test("an empty range says why: before the org's first usage (with a link to it), or no usage at all", async ({ as, seed }) => {
  // Usage on each of the last 5 days (the seed skips today): the org's first day is 5 days ago.
  const org = await seed.org({ label: "Usage start", usage: { days: 5, perDay: 3 } });
  const admin = await as(org.admin);
  await admin.goto(`/usage?range=custom&from=${day(-40)}&to=${day(-30)}`);
  await expect(admin.getByText(`This organization's usage starts on ${said(day(-5))}.`)).toBeVisible();
  await expect(admin.getByText("appears here within a minute")).toHaveCount(0);
  await admin.getByRole("link", { name: `Show ${said(day(-5))} to ${said(day(0))}` }).click();
  await expect(admin.getByTestId("total-requests")).toContainText("15");

  // An org with no usage at all says so; only a range that includes now adds that new requests appear within a minute.
  const empty = await seed.org({ label: "No usage" });
  const page = await as(empty.admin);
  await page.goto(`/usage?range=custom&from=${day(-40)}&to=${day(-30)}`);
  await expect(page.getByText("This organization has no recorded usage yet.", { exact: true })).toBeVisible();
  await page.goto("/usage?range=7d");
  await expect(
    page.getByText(/^This organization has no recorded usage yet\. Requests made with your organization's API keys appear here within a minute\./),
  ).toBeVisible();
});

/**
 * What /usage renders when the usage store lags or cannot be reached (the
 * ClickHouse store's two states; tests/db/usage-store-contract.test.ts shows
 * the store throws UsageUnavailableError and reports its freshness). Here the
 * page's widgets meet those answers: every widget says its figures are
 * unavailable, none shows a zero; a lagging store gets the "data as of" line
 * in the org's zone; any other error is not dressed up as "unavailable".
 */
import { renderToStaticMarkup } from "react-dom/server";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { CustomerPrincipal } from "@/lib/auth/session";

const h = vi.hoisted(() => ({ dashboard: null as null | (() => Promise<unknown>), freshness: null as null | (() => Promise<unknown>) }));
vi.mock("@/lib/usage/store", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/usage/store")>();
  return {
    ...actual,
    getUsageDashboard: () => h.dashboard!(),
    usageFreshness: () => h.freshness!(),
    usageStartsOn: async () => null,
  };
});

const { UsageWidgets } = await import("@/app/(customer)/usage/sections");
const { UsageUnavailableError } = await import("@/lib/usage/store");

const user: CustomerPrincipal = {
  kind: "user",
  userId: "11111111-1111-4111-8111-111111111111",
  email: "admin@northwind.example",
  name: "Nadia Okafor",
  isSupport: false,
  orgId: "22222222-2222-4222-8222-222222222222",
  role: "admin",
  memberships: [],
};
const props = { user, range: { key: "30d" as const }, now: new Date("2026-11-20T12:00:00Z"), projectId: null, showProjects: true, timeZone: "Europe/Berlin" };
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

beforeEach(() => {
  h.dashboard = async () => {
    throw new UsageUnavailableError();
  };
  h.freshness = async () => {
    throw new UsageUnavailableError();
  };
});

describe("/usage when the usage store cannot be read", () => {
  it("every widget says its figures are unavailable, and no figure is drawn", async () => {
    const html = renderToStaticMarkup(await UsageWidgets(props));
    const t = text(html);
    for (const title of ["Totals", "Requests over time", "By product", "By model", "By API key", "By project"]) {
      expect(t, title).toContain(`${title}: figures unavailable`);
    }
    expect(t).toContain("no figures are shown rather than wrong ones");
    expect(t).not.toMatch(/\d/);
    expect(t, "no freshness line without a freshness answer").not.toContain("Data as of");
  });

  it("a lagging store says when its figures are from, in the org's zone, without another org's backlog", async () => {
    h.freshness = async () => ({ asOf: "2026-11-20T10:15:00.000Z", pendingEvents: 12345 });
    const t = text(renderToStaticMarkup(await UsageWidgets(props)));
    expect(t).toContain("Data as of Nov 20, 2026, 11:15 AM GMT+1: newer requests are accepted and on their way to these figures.");
    expect(t).not.toContain("12,345");
    expect(t).not.toContain("12345");
  });

  it("a store that is up to date shows no freshness line", async () => {
    h.freshness = async () => ({ asOf: null, pendingEvents: 0 });
    expect(text(renderToStaticMarkup(await UsageWidgets(props)))).not.toContain("Data as of");
  });

  it("any other failure is an error, not 'unavailable'", async () => {
    h.dashboard = async () => {
      throw new Error("a bug");
    };
    await expect(UsageWidgets(props)).rejects.toThrow("a bug");
  });
});

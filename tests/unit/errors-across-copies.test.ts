import { describe, expect, it, vi } from "vitest";

/**
 * Next bundles lib/ into several chunks and server.ts loads it once more: an
 * error made by one copy of lib/errors.ts is caught where another copy's
 * classes are in scope (a bad ingest body answered 500, not 400, on the
 * production server). Two module instances stand in for two bundles here.
 */
describe("AppError across copies of lib/errors", () => {
  it("is recognised by class in another copy, and a parent is not taken for a child", async () => {
    const a = await import("@/lib/errors");
    vi.resetModules();
    const b = await import("@/lib/errors");
    expect(b.AppError).not.toBe(a.AppError);

    const invalid = new b.ValidationError("Check the highlighted fields.", [{ path: "$.events[0].id", problem: "is required" }]);
    expect(invalid instanceof a.ValidationError).toBe(true);
    expect(invalid instanceof a.AppError).toBe(true);
    expect(invalid instanceof Error).toBe(true);
    expect(new b.AppError("not_found", "Not found") instanceof a.ValidationError).toBe(false);
    expect(new Error("plain") instanceof a.AppError).toBe(false);
    expect((null as unknown as object) instanceof a.AppError).toBe(false);

    const { UsageUnavailableError } = await import("@/lib/usage/store");
    expect(new UsageUnavailableError() instanceof a.AppError).toBe(true);
    expect(new b.AppError("unavailable", "x") instanceof UsageUnavailableError).toBe(false);
    // The tags ride along without showing up in what is serialised.
    expect(JSON.stringify(invalid)).not.toContain("AppError");
  });
});

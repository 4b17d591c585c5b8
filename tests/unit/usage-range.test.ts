/** The custom range of /usage: plain messages naming the field, never the raw value. */
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { parseRangeParams } from "@/lib/usage/range";

function refusal(params: Record<string, string | undefined>, today?: string): { message: string; fields: string[] } {
  try {
    parseRangeParams({ range: "custom", ...params }, { today });
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(err.code).toBe("invalid");
    return { message: err.message, fields: (err.details?.fields as string[]) ?? [] };
  }
  throw new Error("accepted");
}

describe("custom range messages", () => {
  it("a day that does not exist", () => {
    expect(refusal({ from: "2026-02-30", to: "2026-03-01" })).toEqual({ message: "From: Feb 30, 2026 is not a date.", fields: ["from"] });
    expect(refusal({ from: "2026-02-01", to: "2027-02-29" })).toEqual({ message: "To: Feb 29, 2027 is not a date.", fields: ["to"] });
    expect(parseRangeParams({ range: "custom", from: "2028-02-29", to: "2028-03-01" })).toEqual({ key: "custom", from: "2028-02-29", to: "2028-03-01" });
  });

  it("a month that does not exist", () => {
    expect(refusal({ from: "2026-13-01", to: "2026-03-01" })).toEqual({ message: "From: there is no month 13.", fields: ["from"] });
    expect(refusal({ from: "2026-01-01", to: "2026-00-10" })).toEqual({ message: "To: there is no month 0.", fields: ["to"] });
  });

  it("both fields wrong: both named, in order", () => {
    expect(refusal({ from: "", to: "soon" })).toEqual({ message: "From is empty: pick a date. To must be a date like 2026-01-31.", fields: ["from", "to"] });
  });

  it("a reversed range", () => {
    expect(refusal({ from: "2026-03-05", to: "2026-03-01" })).toEqual({
      message: "The start is after the end: From (Mar 5, 2026) is after To (Mar 1, 2026).",
      fields: ["from", "to"],
    });
  });

  it("a range in the future, against the org's today", () => {
    expect(refusal({ from: "2026-12-01", to: "2026-12-04" }, "2026-12-03")).toEqual({
      message: "The range ends in the future: To is after today, Dec 3, 2026.",
      fields: ["to"],
    });
    expect(refusal({ from: "2026-12-04", to: "2026-12-05" }, "2026-12-03")).toEqual({
      message: "The range starts in the future: From is after today, Dec 3, 2026.",
      fields: ["from"],
    });
    expect(parseRangeParams({ range: "custom", from: "2026-12-01", to: "2026-12-03" }, { today: "2026-12-03" })).toEqual({
      key: "custom",
      from: "2026-12-01",
      to: "2026-12-03",
    });
  });

  it("too long a range", () => {
    expect(refusal({ from: "2024-01-01", to: "2026-01-01" }).message).toBe(
      "The range covers 732 days; a custom range covers at most 366. Move From or To closer.",
    );
  });

  it("never echoes a raw value", () => {
    const { message } = refusal({ from: "<script>alert(1)</script>", to: "2026-01-01" });
    expect(message).toBe("From must be a date like 2026-01-31.");
  });
});

import { describe, expect, it } from "vitest";
import { businessMsBetween, requestAge } from "@/lib/support/business-time";

const H = 3600_000;

describe("request age in business time", () => {
  it("counts weekday hours fully", () => {
    // Tuesday 10:00 to Wednesday 09:00 UTC.
    expect(businessMsBetween(new Date("2026-11-17T10:00:00Z"), new Date("2026-11-18T09:00:00Z"))).toBe(23 * H);
    expect(requestAge(new Date("2026-11-17T10:00:00Z"), new Date("2026-11-18T09:00:00Z")).overdue).toBe(false);
    expect(requestAge(new Date("2026-11-17T10:00:00Z"), new Date("2026-11-18T11:00:00Z")).overdue).toBe(true);
  });

  it("does not count the weekend: Friday evening to Monday morning is a few hours", () => {
    const friday = new Date("2026-11-20T18:00:00Z");
    const monday = new Date("2026-11-23T09:00:00Z");
    expect(businessMsBetween(friday, monday)).toBe(6 * H + 9 * H);
    const age = requestAge(friday, monday);
    expect(age.overdue).toBe(false);
    expect(age.label).toBe("15 h 0 min");
  });

  it("a request filed on Saturday starts its clock on Monday", () => {
    expect(businessMsBetween(new Date("2026-11-21T12:00:00Z"), new Date("2026-11-23T00:00:00Z"))).toBe(0);
    expect(requestAge(new Date("2026-11-21T12:00:00Z"), new Date("2026-11-24T01:00:00Z")).overdue).toBe(true);
  });

  it("is never negative", () => {
    expect(businessMsBetween(new Date("2026-11-18T00:00:00Z"), new Date("2026-11-17T00:00:00Z"))).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { businessDeadline, businessMsBetween, requestAge } from "@/lib/business-time";

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

describe("businessDeadline", () => {
  it("is one weekday of time later, weekends skipped", () => {
    // 2026-12-02 is a Wednesday, 2026-12-04 a Friday, 2026-12-05 a Saturday.
    expect(businessDeadline(new Date("2026-12-02T10:00:00Z")).toISOString()).toBe("2026-12-03T10:00:00.000Z");
    expect(businessDeadline(new Date("2026-12-04T18:00:00Z")).toISOString()).toBe("2026-12-07T18:00:00.000Z");
    expect(businessDeadline(new Date("2026-12-05T10:00:00Z")).toISOString()).toBe("2026-12-08T00:00:00.000Z");
  });
  it("agrees with requestAge: overdue just after the deadline, not just before", () => {
    const start = new Date("2026-12-04T18:00:00Z");
    const due = businessDeadline(start).getTime();
    expect(requestAge(start, new Date(due - 1000)).overdue).toBe(false);
    expect(requestAge(start, new Date(due + 1000)).overdue).toBe(true);
  });
});

/**
 * Regression (found by the adversarial suite's PostgreSQL restart): a lost
 * database connection during ingest answered 500, which tells the fleet the
 * batch was bad; it must be a 503 with Retry-After, so the batch is retried.
 */
import { describe, expect, it } from "vitest";
import { errorResponse, isDatabaseUnavailable } from "@/lib/http/problem";

const wrapped = (code: string) => Object.assign(new Error("Failed query: insert into usage_events …"), { cause: Object.assign(new Error("driver"), { code }) });

describe("database unavailable", () => {
  it.each(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT", "ECONNREFUSED", "ECONNRESET", "57P01", "57P03", "08006"])(
    "%s, wrapped by drizzle, is a 503 with Retry-After",
    async (code) => {
      expect(isDatabaseUnavailable(wrapped(code))).toBe(true);
      const res = errorResponse(wrapped(code));
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(await res.text()).not.toContain("insert into");
    },
  );

  it("a constraint violation or a plain bug is still a 500", () => {
    expect(errorResponse(wrapped("23505")).status).toBe(500);
    expect(errorResponse(new TypeError("x")).status).toBe(500);
  });
});

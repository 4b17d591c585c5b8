import { describe, expect, it } from "vitest";
import { clientAddress } from "@/lib/auth/credentials";
import { CLIENT_ADDRESS_HEADER, resolveClientAddress, trustFunction } from "@/lib/http/client-address";

/** What the throttle sees for a request that reached server.ts from `peer` with these headers. */
function throttleAddress(peer: string, headers: Record<string, string>, trustProxy?: string): string {
  const req = { headers: { ...headers }, socket: { remoteAddress: peer } } as unknown as Parameters<typeof resolveClientAddress>[0];
  req.headers[CLIENT_ADDRESS_HEADER] = resolveClientAddress(req, trustFunction(trustProxy));
  return clientAddress(new Headers(req.headers as Record<string, string>));
}

describe("the client address the sign-in throttle counts", () => {
  it("facing clients directly, a forged X-Forwarded-For changes nothing", () => {
    expect(throttleAddress("203.0.113.7", {})).toBe("203.0.113.7");
    expect(throttleAddress("203.0.113.7", { "x-forwarded-for": "198.51.100.1" })).toBe("203.0.113.7");
    expect(throttleAddress("203.0.113.7", { "x-forwarded-for": "198.51.100.1, 198.51.100.2", "x-real-ip": "198.51.100.3" })).toBe("203.0.113.7");
  });

  it("a client cannot send the internal header either", () => {
    expect(throttleAddress("203.0.113.7", { [CLIENT_ADDRESS_HEADER]: "198.51.100.9" })).toBe("203.0.113.7");
  });

  it("behind a trusted proxy, the address that proxy reported is used, not what the client prepended", () => {
    // The client forged the first entry; the proxy (on loopback) appended the real peer it saw.
    expect(throttleAddress("127.0.0.1", { "x-forwarded-for": "198.51.100.1, 203.0.113.7" }, "loopback")).toBe("203.0.113.7");
    expect(throttleAddress("10.0.0.5", { "x-forwarded-for": "198.51.100.1, 203.0.113.7" }, "10.0.0.0/8")).toBe("203.0.113.7");
    expect(throttleAddress("10.0.0.5", { "x-forwarded-for": "203.0.113.7" }, "1")).toBe("203.0.113.7");
  });

  it("a request that did not come through the trusted proxy keeps its own address", () => {
    expect(throttleAddress("203.0.113.50", { "x-forwarded-for": "198.51.100.1" }, "loopback")).toBe("203.0.113.50");
  });
});

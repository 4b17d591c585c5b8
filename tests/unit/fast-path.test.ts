import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { serveFastPath } from "@/lib/api/fast-path";
import { matchPolicyPath, matchRetentionPath } from "@/lib/api/policy";

const ORG = "605a9df2-66b3-4b61-be57-832146aaf3b7";

describe("the production server's fast path", () => {
  it("takes exactly the policy lookup's target", () => {
    expect(matchPolicyPath(`/api/v1/orgs/${ORG}/retention-policy`)).toBe(ORG);
    expect(matchPolicyPath(`/api/v1/orgs/${ORG}/retention-policy?x=1`)).toBe(ORG);
    expect(matchPolicyPath(`/api/v1/orgs/not%20a%20uuid/retention-policy`)).toBe("not a uuid");
    expect(matchPolicyPath(`/api/v1/orgs/${ORG}/retention-decision?product=llm`)).toBeNull();
    expect(matchRetentionPath(`/api/v1/orgs/${ORG}/retention-decision?product=llm&enableLogging=false`)).toEqual({
      kind: "decision",
      orgId: ORG,
      query: "product=llm&enableLogging=false",
    });
    expect(matchRetentionPath(`/api/v1/orgs/${ORG}/retention-decision/`)).toBeNull();
    for (const other of [
      `/api/v1/orgs/${ORG}/retention-policy/`,
      `/api/v1/orgs/${ORG}/retention-policyx`,
      `/api/v1/orgs/${ORG}/x/retention-policy`,
      `/api/v1/orgs//retention-policy`,
      `/api/v1/orgs/%E0%A4%A/retention-policy`,
      `/API/v1/orgs/${ORG}/retention-policy`,
      `/x/api/v1/orgs/${ORG}/retention-policy`,
      "/usage",
    ]) {
      expect(matchPolicyPath(other), other).toBeNull();
    }
  });

  it("leaves every other request to Next without touching the response", () => {
    const untouched = new Proxy({} as ServerResponse, {
      get(_, key) {
        throw new Error(`the fast path used res.${String(key)}`);
      },
    });
    for (const [method, url] of [
      ["HEAD", `/api/v1/orgs/${ORG}/retention-policy`],
      ["POST", `/api/v1/orgs/${ORG}/retention-policy`],
      ["OPTIONS", `/api/v1/orgs/${ORG}/retention-policy`],
      ["GET", `/api/v1/orgs/${ORG}/retention-policy/`],
      ["GET", "/api/v1/openapi.json"],
      ["POST", "/api/v1/usage/events"],
      ["GET", "/"],
    ]) {
      expect(serveFastPath({ method, url, headers: {} } as IncomingMessage, untouched), `${method} ${url}`).toBe(false);
    }
  });
});

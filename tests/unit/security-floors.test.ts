/**
 * Every runtime dependency stays at or above the release that fixed its
 * known advisories; `npm audit` cannot reach its endpoint from these
 * machines (405), so these floors are the gate here. Each runtime dependency
 * is either in FLOORS (with the advisory behind it) or in NO_KNOWN_ADVISORY,
 * so a new dependency fails until someone looked it up. Raise a floor here
 * when a new advisory ships.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const FLOORS: Record<string, string> = {
  // Middleware/proxy authorization bypass (CVE-2025-29927) and the RSC advisories of 2025-2026 (STACK-NOTES.md).
  next: "16.4.1",
  // React Server Components advisories of 2025-2026 (STACK-NOTES.md).
  react: "19.3.1",
  "react-dom": "19.3.1",
  // Auth.js advisories fixed in 4.24.15 / 5.0.0-beta.32 (STACK-NOTES.md).
  "next-auth": "5.0.0-beta.32",
  // Two high advisories in 8.x, fixed in 9.1 (STACK-NOTES.md); next-auth's peer range is overridden in package.json.
  nodemailer: "9.1.0",
  // CVE-2017-16082: remote code execution through crafted column names, fixed in 7.1.2 (and 2.x-6.x backports).
  pg: "7.1.2",
  // CVE-2024-28176: JWE decompression resource exhaustion, fixed in 4.15.5.
  jose: "4.15.5",
  // CVE-2023-4316: ReDoS in the email validator, fixed in 3.22.3.
  zod: "3.22.3",
};

/** Runtime dependencies with no advisory known to us (checked against their changelogs and STACK-NOTES.md, 2026-12). */
const NO_KNOWN_ADVISORY = [
  "@clickhouse/client",
  "@electric-sql/pglite",
  "@electric-sql/pglite-socket",
  "@noble/hashes",
  "@node-rs/argon2",
  "drizzle-orm",
  "lucide-react",
  // The OpenID Connect code flow of single sign-on (lib/sso/sign-in.ts); the same copy @auth/core uses.
  "oauth4webapi",
  "otpauth",
  "qrcode",
  "pino",
  "prom-client",
  "proxy-addr",
  "recharts",
  "tsx",
];

function installed(name: string): string {
  return JSON.parse(fs.readFileSync(path.join("node_modules", name, "package.json"), "utf8")).version;
}

/** semver order, with a prerelease (x.y.z-beta.N) below its release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split("-", 2);
    return { core: core.split(".").map(Number), pre: pre ? pre.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : null };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i] - y.core[i];
  if (!x.pre || !y.pre) return x.pre ? -1 : y.pre ? 1 : 0;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p !== q) return typeof p === "number" && typeof q === "number" ? p - q : String(p) < String(q) ? -1 : 1;
  }
  return 0;
}

describe("security floors", () => {
  it("compares versions the way the floors need", () => {
    expect(compareVersions("16.4.0", "16.4.1")).toBeLessThan(0);
    expect(compareVersions("5.0.0-beta.31", "5.0.0-beta.32")).toBeLessThan(0);
    expect(compareVersions("5.0.0-beta.32", "5.0.0")).toBeLessThan(0);
    expect(compareVersions("19.3.1", "19.3.1")).toBe(0);
  });

  it("every runtime dependency has a floor or is listed as having no known advisory", () => {
    const deps = Object.keys(JSON.parse(fs.readFileSync("package.json", "utf8")).dependencies as Record<string, string>);
    expect(deps.filter((d) => !(d in FLOORS) && !NO_KNOWN_ADVISORY.includes(d))).toEqual([]);
  });

  it("next-auth uses the app's nodemailer, not an 8.x copy of its own", () => {
    expect(fs.existsSync(path.join("node_modules", "next-auth", "node_modules", "nodemailer"))).toBe(false);
  });

  for (const [name, floor] of Object.entries(FLOORS)) {
    it(`${name} is at least ${floor}`, () => {
      expect(compareVersions(installed(name), floor)).toBeGreaterThanOrEqual(0);
    });
  }
});

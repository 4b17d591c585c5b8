/**
 * The framework packages stay at or above their latest security releases
 * (Next.js proxy/middleware bypasses and React Server Components advisories
 * of 2025–2026). Raise a floor here when a new advisory ships.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const FLOORS: Record<string, string> = {
  next: "16.4.1",
  react: "19.3.1",
  "react-dom": "19.3.1",
  "next-auth": "5.0.0-beta.32",
};

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

  for (const [name, floor] of Object.entries(FLOORS)) {
    it(`${name} is at least ${floor}`, () => {
      expect(compareVersions(installed(name), floor)).toBeGreaterThanOrEqual(0);
    });
  }
});

/**
 * The architecture, checked: `lib/` folders import each other without a
 * cycle (a folder-level drawing of the imports is a DAG), `lib/db` depends on
 * nothing above it, and `components/` never reach the data layer.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : /\.(ts|tsx)$/.test(e.name) ? [full] : [];
  });
}

/** The node of a file in the drawing: lib/<folder>, or the top-level module itself (lib/env.ts → lib/env). */
function nodeOf(file: string): string {
  const parts = file.replace(/\.(ts|tsx|js)$/, "").split(path.sep);
  return parts.slice(0, 2).join("/");
}

/** What a file imports; type-only imports are left out: they vanish at build time and carry no dependency at run time. */
function importsOf(file: string): string[] {
  const src = fs.readFileSync(file, "utf8").replace(/^(import|export) type [^;]+;/gm, "");
  const out: string[] = [];
  for (const m of src.matchAll(/(?:import|export)\s[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^import\s+["']([^"']+)["']/gm)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith("@/")) out.push(spec.slice(2));
    else if (spec.startsWith(".")) out.push(path.relative(".", path.resolve(path.dirname(file), spec)));
  }
  return out;
}

function graph(root: string): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const f of files(root)) {
    const from = nodeOf(f);
    if (!g.has(from)) g.set(from, new Set());
    for (const target of importsOf(f)) {
      if (!target.startsWith(`${root}/`)) continue;
      const to = nodeOf(target);
      if (to !== from) g.get(from)!.add(to);
    }
  }
  return g;
}

function cycles(g: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, "open");
    stack.push(n);
    for (const m of g.get(n) ?? []) {
      if (state.get(m) === "open") found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of [...g.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}

/**
 * What code that runs in the browser may import from lib/: plain data and pure
 * functions. Everything else in lib/ may reach the database or a secret.
 * (Not `import "server-only"`: server.ts and the CLIs load lib/ outside Next,
 * where that package throws; this check covers the same ground at test time.)
 */
const CLIENT_SAFE = [
  "lib/vocabulary",
  "lib/actions/result",
  "lib/intl",
  "lib/usage/products",
  "lib/usage/latency",
  "lib/usage/range",
  "lib/usage/units",
  "lib/usage/unit-order",
  "lib/usage/compare",
  "lib/audit/verify",
  "lib/audit/merkle",
  "lib/audit/canonical",
];

describe("architecture", () => {
  it("client components import from lib/ only what is safe in a browser", () => {
    const bad: string[] = [];
    for (const f of [...files("app"), ...files("components")]) {
      if (!/^\s*["']use client["']/.test(fs.readFileSync(f, "utf8"))) continue;
      for (const t of importsOf(f)) if (t.startsWith("lib/") && !CLIENT_SAFE.includes(t)) bad.push(`${f} → ${t}`);
    }
    expect(bad).toEqual([]);
  });

  it("lib/ folders import each other without a cycle", () => {
    expect(cycles(graph("lib")).map((c) => c.join(" → "))).toEqual([]);
  });

  it("finds a cycle when there is one (the check can fail)", () => {
    const g = new Map([
      ["lib/a", new Set(["lib/b"])],
      ["lib/b", new Set(["lib/c"])],
      ["lib/c", new Set(["lib/a"])],
    ]);
    expect(cycles(g)).toEqual([["lib/a", "lib/b", "lib/c", "lib/a"]]);
  });

  it("lib/db depends on nothing above it", () => {
    const above = [...(graph("lib").get("lib/db") ?? [])].filter((n) => !["lib/env", "lib/vocabulary", "lib/process-state"].includes(n));
    expect(above).toEqual([]);
  });

  it("process-wide state lives in lib/process-state.ts alone (one helper, no ad hoc globalThis keys)", () => {
    const bad = files("lib").filter((f) => f !== "lib/process-state.ts" && /globalThis\s+as\b|globalThis\.__/.test(fs.readFileSync(f, "utf8")));
    expect(bad).toEqual([]);
  });

  it("components/ never import the data layer, and lib/ never imports app/ or components/", () => {
    const bad: string[] = [];
    for (const f of files("components"))
      for (const t of importsOf(f)) if (t.startsWith("lib/db") || /^lib\/[^/]+\/(queries|service)/.test(t)) bad.push(`${f} → ${t}`);
    for (const f of files("lib")) for (const t of importsOf(f)) if (t.startsWith("app/") || t.startsWith("components/")) bad.push(`${f} → ${t}`);
    expect(bad).toEqual([]);
  });
});

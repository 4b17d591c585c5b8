/**
 * Every page.tsx and route.ts under app/, by route pattern (route groups
 * dropped): the access matrices of e2e/ and tests/adversarial/ read the routes
 * from disk, so a new route without a row fails them.
 */
import fs from "node:fs";
import path from "node:path";

export function routeFiles(appDir = "app"): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/^(page|route)\.(tsx?|jsx?)$/.test(entry.name)) {
        const segments = path
          .relative(appDir, dir)
          .split(path.sep)
          .filter((s) => s && !/^\(.*\)$/.test(s));
        found.set("/" + segments.join("/"), full);
      }
    }
  };
  walk(appDir);
  return found;
}

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "@/lib/db";
import { hashToken } from "@/lib/tokens/tokens";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function run(dataDir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/token-create.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "" },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "token-create-"));
  dirs.push(d);
  return d;
}

describe("npm run token:create", () => {
  it("prints the token once and stores only its hash", async () => {
    const dir = tmp();
    const r = run(dir, "--name", "fleet eu", "--scopes", "usage:write,policy:read");
    expect(r.code, r.err).toBe(0);
    const token = /^(zdr_st_[A-Za-z0-9_-]{43})$/m.exec(r.out)?.[1];
    expect(token).toBeTruthy();
    const handle = openPglite(path.join(dir, "db"));
    try {
      const { rows } = await handle.pglite!.query<{ t: string }>("select row_to_json(s)::text as t from service_tokens s");
      expect(rows).toHaveLength(1);
      expect(rows[0].t).not.toContain(token!.slice(7));
      expect(rows[0].t).toContain(hashToken(token!));
      expect(rows[0].t).toContain("policy:read");
    } finally {
      await handle.close();
    }
  });

  it("refuses unknown scopes and a missing name with a clear message", () => {
    const r = run(tmp(), "--name", "x", "--scopes", "usage:write,admin");
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown scope");
    const r2 = run(tmp(), "--scopes", "usage:write");
    expect(r2.code).toBe(2);
    expect(r2.err).toContain("--name");
  });

  it("refuses while another live process holds the embedded database", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "db.lock"), String(process.pid));
    const r = run(dir, "--name", "x", "--scopes", "usage:write");
    expect(r.code).toBe(1);
    expect(r.err).toContain(`in use by process ${process.pid}`);
    expect(fs.existsSync(path.join(dir, "db"))).toBe(false);
  });
});

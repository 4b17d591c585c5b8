import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EnvError, parseEnv } from "@/lib/env";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "zdr-env-"));

describe("environment", () => {
  it("defaults to the embedded database and keeps a generated secret", () => {
    const dir = tmp();
    const a = parseEnv({ DATA_DIR: dir });
    const b = parseEnv({ DATA_DIR: dir });
    expect(a.embedded).toBe(true);
    expect(a.AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(b.AUTH_SECRET).toBe(a.AUTH_SECRET);
    expect(a.APP_URL).toBe("http://localhost:3000");
  });

  it("refuses private webhook targets by default and names a malformed WEBHOOK_ALLOW_PRIVATE or WEBHOOK_SECRET_KEY", () => {
    const dir = tmp();
    expect(parseEnv({ DATA_DIR: dir }).WEBHOOK_ALLOW_PRIVATE).toBe(false);
    expect(parseEnv({ DATA_DIR: dir, WEBHOOK_ALLOW_PRIVATE: "true" }).WEBHOOK_ALLOW_PRIVATE).toBe(true);
    expect(() => parseEnv({ DATA_DIR: dir, WEBHOOK_ALLOW_PRIVATE: "yes" })).toThrow(/WEBHOOK_ALLOW_PRIVATE: must be true or false/);
    expect(() => parseEnv({ DATA_DIR: dir, WEBHOOK_SECRET_KEY: "c2hvcnQ=" })).toThrow(/WEBHOOK_SECRET_KEY: must be 32 random bytes/);
  });

  it("chooses the usage store (postgres by default) and names a bad USAGE_STORE, CLICKHOUSE_URL or CLICKHOUSE_CLUSTER", () => {
    const dir = tmp();
    expect(parseEnv({ DATA_DIR: dir }).USAGE_STORE).toBe("postgres");
    expect(parseEnv({ DATA_DIR: dir, USAGE_STORE: "clickhouse", CLICKHOUSE_URL: "http://u:p@127.0.0.1:8123/zdr", CLICKHOUSE_CLUSTER: "usage" })).toMatchObject({
      USAGE_STORE: "clickhouse",
      CLICKHOUSE_CLUSTER: "usage",
    });
    expect(() => parseEnv({ DATA_DIR: dir, USAGE_STORE: "mysql" })).toThrow(/USAGE_STORE: must be postgres or clickhouse/);
    expect(() => parseEnv({ DATA_DIR: dir, CLICKHOUSE_URL: "tcp://h:9000" })).toThrow(/CLICKHOUSE_URL: must be an http\(s\) URL/);
    expect(() => parseEnv({ DATA_DIR: dir, CLICKHOUSE_CLUSTER: "a'; DROP" })).toThrow(/CLICKHOUSE_CLUSTER: must be a cluster name/);
  });

  it("names a malformed DATABASE_URL", () => {
    expect(() => parseEnv({ DATABASE_URL: "not a url", AUTH_SECRET: "x".repeat(40) })).toThrow(/DATABASE_URL: must be a URL like postgres:/);
    expect(() => parseEnv({ DATABASE_URL: "mysql://h/db", AUTH_SECRET: "x".repeat(40) })).toThrow(EnvError);
  });

  it("requires AUTH_SECRET with a real database", () => {
    expect(() => parseEnv({ DATABASE_URL: "postgres://127.0.0.1/x" })).toThrow(/AUTH_SECRET: required/);
  });

  it("names every bad variable at once", () => {
    try {
      parseEnv({ PORT: "seventy", SMTP_URL: "mail.example.com", DATA_DIR: tmp() });
      expect.unreachable();
    } catch (err) {
      expect((err as EnvError).problems.join("\n")).toMatch(/PORT/);
      expect((err as EnvError).problems.join("\n")).toMatch(/SMTP_URL/);
    }
  });
});

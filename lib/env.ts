/**
 * Every environment variable the app reads, validated once at start.
 * A missing or malformed value stops the app with a message naming it.
 * `.env.example` lists the same variables.
 */
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { z } from "zod";

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "postgres:" || u.protocol === "postgresql:") && u.hostname !== "";
    } catch {
      return false;
    }
  }, "must be a URL like postgres://user:password@host:5432/database");

const EnvSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().trim().min(1).default(".data"),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters (try: openssl rand -base64 33)").optional(),
  SMTP_URL: z
    .string()
    .trim()
    .refine((v) => /^smtps?:\/\/[^/]+/.test(v), "must be a URL like smtp://user:password@host:587")
    .optional(),
  MAIL_FROM: z.string().trim().min(3).default("ZDR Console <no-reply@zdr-console.example>"),
  /** A monitored support mailbox: the Reply-To of every email, and where notices tell people to write. */
  SUPPORT_EMAIL: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: "must be an email address like support@provider.example" }))
    .default("support@provider.example"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** The public origin: links in emails, the same-origin check, and single sign-on's redirect_uri (lib/sso/sign-in.ts). */
  APP_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL like https://console.example.com" }).optional(),
  SIGNING_KEY: z
    .string()
    .trim()
    .refine((v) => v.includes("-----BEGIN PRIVATE KEY-----"), "must be an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519)")
    .optional(),
  SIGNING_KEYS_RETIRED: z.string().trim().optional(),
  /** `true` lets webhooks target plain http and loopback or private addresses (local use and tests). */
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((v) => v === "true"),
  /** Encrypts webhook signing secrets at rest: 32 bytes, base64. Unset: derived from AUTH_SECRET. */
  WEBHOOK_SECRET_KEY: z
    .string()
    .trim()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 random bytes in base64 (openssl rand -base64 32)")
    .optional(),
  /** Where usage analytics live: `postgres` (the default) or `clickhouse` (CLICKHOUSE_URL, else the embedded chDB engine). */
  USAGE_STORE: z.enum(["postgres", "clickhouse"], { error: "must be postgres or clickhouse" }).default("postgres"),
  /** A ClickHouse server for USAGE_STORE=clickhouse (http(s)://user:password@host:8123/database). Unset: embedded chDB under DATA_DIR/clickhouse. */
  CLICKHOUSE_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL like http://user:password@clickhouse:8123/zdr" }).optional(),
  /** A cluster of that server's remote_servers: the schema is then Replicated…MergeTree tables behind Distributed ones (clickhouse/cluster/). */
  CLICKHOUSE_CLUSTER: z
    .string()
    .trim()
    .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, "must be a cluster name (letters, digits, _ and -)")
    .optional(),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Which hops may set X-Forwarded-For: `loopback`, CIDR ranges or addresses (comma-separated), or a hop count. Unset: none. */
  TRUST_PROXY: z
    .string()
    .trim()
    .regex(/^[0-9a-zA-Z.,:/ ]+$/, "must be loopback, uniquelocal, addresses or CIDR ranges (comma-separated), or a hop count")
    .optional(),
  /** Prometheus metrics on their own port (bound to 127.0.0.1 unless METRICS_HOST says otherwise). */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  METRICS_HOST: z.string().trim().min(1).default("127.0.0.1"),
  /** Or /metrics on the app's port, for a scraper that sends `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** How long SIGTERM waits for requests under way before the workers and the database stop. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
});

export type Env = z.infer<typeof EnvSchema> & {
  APP_URL: string;
  AUTH_SECRET: string;
  /** True when no DATABASE_URL is set: PGlite under DATA_DIR. */
  embedded: boolean;
};

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example for every variable.`);
    this.name = "EnvError";
  }
}

function blankToUndefined(source: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const v = source[key];
    out[key] = v === undefined || v.trim() === "" ? undefined : v;
  }
  return out;
}

/** The secret of the embedded default: generated once, kept under DATA_DIR. */
function embeddedAuthSecret(dataDir: string): string {
  const file = path.join(dataDir, "auth-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = crypto.randomBytes(33).toString("base64url");
    try {
      fs.writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
      return secret;
    } catch {
      // Another process wrote it first: use theirs.
      return fs.readFileSync(file, "utf8").trim();
    }
  }
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = EnvSchema.safeParse(blankToUndefined(source));
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`));
  }
  const e = parsed.data;
  const embedded = e.DATABASE_URL === undefined;
  if (!embedded && !e.AUTH_SECRET) {
    throw new EnvError(["AUTH_SECRET: required when DATABASE_URL is set (at least 32 characters)"]);
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    ...e,
    DATA_DIR: dataDir,
    embedded,
    AUTH_SECRET: e.AUTH_SECRET ?? embeddedAuthSecret(dataDir),
    APP_URL: (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
  };
}

let cached: Env | undefined;
/** The validated environment of this process (parsed on first use). */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/**
 * The one ClickHouse client of a process, on `globalThis` like the database
 * handle: `@clickhouse/client` over HTTP to CLICKHOUSE_URL, or over the
 * embedded chDB engine (`chdb/connection`) under DATA_DIR/clickhouse. chDB
 * binds one data directory per process, so there is never a second one.
 *
 * chDB is about 550 MB, so it is not a dependency of the app: scripts/ensure-chdb.sh
 * installs it on demand into `.chdb/` beside node_modules, and it is loaded
 * from there at run time (a plain `chdb` in node_modules is used if present).
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { createClient, type ClickHouseClient } from "@clickhouse/client";
import { env } from "@/lib/env";
import { processState } from "@/lib/process-state";

export type ClickHouseHandle = {
  kind: "server" | "embedded";
  client: ClickHouseClient;
  /** The cluster the schema spans (CLICKHOUSE_CLUSTER), or null. */
  cluster: string | null;
  /** A description safe to print (no password). */
  label: string;
  close(): Promise<void>;
};

export class ChdbMissingError extends Error {
  constructor() {
    super("USAGE_STORE=clickhouse without CLICKHOUSE_URL needs the embedded engine: run `bash scripts/ensure-chdb.sh` (about 550 MB), or set CLICKHOUSE_URL.");
    this.name = "ChdbMissingError";
  }
}

/** Where scripts/ensure-chdb.sh installs chDB. */
export function chdbInstallDir(root = process.cwd()): string {
  return path.join(root, ".chdb");
}

type ChdbConnectionModule = { createChdbConnection(o: { path: string }): NonNullable<Parameters<typeof createClient>[0]>["connection"] };

function loadChdb(): ChdbConnectionModule {
  const candidates = [path.join(chdbInstallDir(), "node_modules", "_.js"), path.join(process.cwd(), "node_modules", "_.js")];
  for (const from of candidates) {
    if (!fs.existsSync(path.join(path.dirname(from), "chdb", "package.json"))) continue;
    return createRequire(from)("chdb/connection") as ChdbConnectionModule;
  }
  throw new ChdbMissingError();
}

export function openClickHouse(o: { url?: string; dataDir?: string; cluster?: string | null } = {}): ClickHouseHandle {
  const cluster = o.cluster ?? null;
  if (o.url) {
    const u = new URL(o.url);
    const client = createClient({ url: o.url, request_timeout: 30_000, clickhouse_settings: { date_time_input_format: "best_effort" } });
    return { kind: "server", client, cluster, label: `ClickHouse at ${u.host}${u.pathname}`, close: () => client.close() };
  }
  const dataDir = o.dataDir ?? path.join(env().DATA_DIR, "clickhouse");
  fs.mkdirSync(dataDir, { recursive: true });
  const connection = loadChdb().createChdbConnection({ path: dataDir });
  const client = createClient({ connection, clickhouse_settings: { date_time_input_format: "best_effort" } });
  return { kind: "embedded", client, cluster: null, label: `embedded chDB at ${path.relative(process.cwd(), dataDir) || "."}`, close: () => client.close() };
}

const g = processState("clickHouse", (): { value?: ClickHouseHandle } => ({}));

/** The process's ClickHouse, opened from the environment on first use. */
export function getClickHouse(): ClickHouseHandle {
  g.value ??= openClickHouse({ url: env().CLICKHOUSE_URL, cluster: env().CLICKHOUSE_CLUSTER ?? null });
  return g.value;
}

/** Tests and shutdown: install (or clear) the process's handle. */
export function setClickHouse(h: ClickHouseHandle | undefined): void {
  g.value = h;
}

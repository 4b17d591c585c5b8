/**
 * The embedded database's socket for the command-line tools (lib/db/socket.ts):
 * PGlite has one session, so a tool's transaction and the app's own queries
 * must never run inside each other. Tried for real: a pg client over the
 * socket holds a transaction open while the app queries and writes; the app
 * neither sees the uncommitted row nor has its statements rolled back with
 * the tool's; a tool that leaves mid-transaction is rolled back and the app
 * goes on.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import { serveEmbeddedSocket } from "@/lib/db/socket";
import { testDbKind } from "../helpers/db";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-socket-"));
const dbDir = path.join(dir, "db");
let pglite: PGlite;
let socket: { socketDir: string; stop: () => Promise<void> };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const client = () => new pg.Client({ host: socket.socketDir, user: "postgres", database: "postgres" });

describe.runIf(testDbKind === "pglite")("the embedded database's socket for the tools", () => {
  beforeAll(async () => {
    pglite = new PGlite(dbDir);
    await pglite.exec("create table t (id int primary key, who text not null)");
    socket = await serveEmbeddedSocket(pglite, dbDir);
  });
  afterAll(async () => {
    await socket?.stop();
    await pglite?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the app's queries wait for a tool's open transaction instead of running inside it", async () => {
    const tool = client();
    await tool.connect();
    await tool.query("begin");
    await tool.query("insert into t values (1, 'tool')");
    // The app's query while the tool's transaction is open: it must wait, not see row 1 uncommitted.
    let appSaw: number | null = null;
    const app = pglite.query<{ n: number }>("select count(*)::int as n from t").then((r) => (appSaw = r.rows[0].n));
    const appWrite = pglite.query("insert into t values (2, 'app')");
    await sleep(100);
    expect(appSaw).toBeNull();
    // The tool rolls back: had the app's insert run inside the tool's transaction, it would be rolled back with it.
    await tool.query("rollback");
    await Promise.all([app, appWrite]);
    expect(appSaw).toBe(0);
    const rows = await pglite.query<{ id: number; who: string }>("select id, who from t order by id");
    expect(rows.rows).toEqual([{ id: 2, who: "app" }]);
    await tool.end();
  });

  it("a tool's BEGIN waits while an app transaction is open, so its statements never join the app's", async () => {
    // Connected first: the handshake itself waits, like every message, while an app transaction is open.
    const tool = client();
    await tool.connect();
    let releaseApp!: () => void;
    const appOpen = new Promise<void>((r) => (releaseApp = r));
    const appTx = pglite.transaction(async (tx) => {
      await tx.query("insert into t values (10, 'app tx')");
      await appOpen;
      await tx.rollback();
    });
    await sleep(20);
    let toolCommitted = false;
    const toolTx = (async () => {
      await tool.query("begin");
      await tool.query("insert into t values (11, 'tool tx')");
      await tool.query("commit");
      toolCommitted = true;
    })();
    await sleep(150);
    expect(toolCommitted).toBe(false);
    releaseApp();
    await appTx.catch(() => undefined);
    await toolTx;
    const rows = await pglite.query<{ id: number }>("select id from t where id >= 10 order by id");
    // The app's rolled-back row is gone; the tool's committed row stays.
    expect(rows.rows).toEqual([{ id: 11 }]);
    await tool.end();
  });

  it("a tool that disconnects mid-transaction is rolled back, and the app goes on", async () => {
    const tool = client();
    await tool.connect();
    await tool.query("begin");
    await tool.query("insert into t values (20, 'left behind')");
    await tool.end();
    const r = await pglite.query<{ n: number }>("select count(*)::int as n from t where id = 20");
    expect(r.rows[0].n).toBe(0);
    expect(pglite.isInTransaction()).toBe(false);
    await pglite.query("insert into t values (21, 'app after')");
  });
});

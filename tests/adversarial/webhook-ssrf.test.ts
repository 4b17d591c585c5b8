/**
 * Server-side request forgery through webhooks: endpoints aimed at loopback,
 * private, shared, link-local and unique-local addresses, IPv6 forms that
 * embed IPv4, numeric IPv4 spellings, a name that resolves to loopback, and
 * a redirect to a private address. With WEBHOOK_ALLOW_PRIVATE unset, every
 * one is refused when added; rows that reach the table anyway (added while
 * private targets were allowed, or a name that later resolves elsewhere)
 * are refused again at delivery. Goal: 0 requests arrive.
 */
import "@/lib/webhooks/delivery";
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizations, outbox, webhookDeliveries, webhookEndpoints } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { drainOutbox } from "@/lib/notify/worker";
import type { MailTransport } from "@/lib/notify/transport";
import { isNonPublicAddress } from "@/lib/webhooks/address";
import { encryptSecret, generateWebhookSecret } from "@/lib/webhooks/secrets";
import { createWebhookEndpoint, enqueueWebhookEvent } from "@/lib/webhooks/service";
import { startWebhookReceiver, type Receiver } from "../helpers/webhook-receiver";
import { withFreshDatabase } from "../helpers/db";
import { record, scale } from "./figures";

delete process.env.WEBHOOK_ALLOW_PRIVATE;

const db = withFreshDatabase();
const noMail: MailTransport = { describe: "none", send: async () => {}, close() {} };
let admin: UserPrincipal;
let orgId: string;
let target: Receiver;
let redirector: Receiver;

const FIXED = [
  "https://127.0.0.1/",
  "https://127.255.255.254/",
  "https://10.1.2.3/",
  "https://172.16.0.1/",
  "https://172.31.255.255/",
  "https://192.168.1.1/",
  "https://169.254.169.254/latest/meta-data/",
  "https://100.64.0.1/",
  "https://0.0.0.0/",
  "https://[::1]/",
  "https://[::]/",
  "https://[fc00::1]/",
  "https://[fd12:3456:789a::1]/",
  "https://[fe80::1]/",
  "https://[febf::1]/",
  "https://[::ffff:127.0.0.1]/",
  "https://[::ffff:7f00:1]/",
  "https://[::ffff:10.0.0.1]/",
  "https://[::ffff:0:169.254.169.254]/",
  "https://[64:ff9b::7f00:1]/",
  "https://[2002:7f00:1::]/",
  "https://[::127.0.0.1]/",
  "https://2130706433/", // 127.0.0.1 in decimal
  "https://0177.0.0.1/", // octal
  "https://0x7f.0.0.1/", // hex
  "https://127.1/", // short form
  "https://017700000001/", // octal, one number
  "https://167772161/", // 10.0.0.1 in decimal
  "https://localhost/", // a name resolving to loopback
  "https://localhost./",
  "http://93.184.215.14/", // plain http to a public address: https only
  "https://user:pass@93.184.215.14/",
];

const RANGES: [number[], number][] = [
  [[127, 0, 0, 0], 8],
  [[10, 0, 0, 0], 8],
  [[172, 16, 0, 0], 12],
  [[192, 168, 0, 0], 16],
  [[169, 254, 0, 0], 16],
  [[100, 64, 0, 0], 10],
];

function randomIn([base, prefix]: [number[], number]): string {
  const b = ((base[0] << 24) >>> 0) | (base[1] << 16) | (base[2] << 8) | base[3];
  const host = crypto.randomBytes(4).readUInt32BE() & (2 ** (32 - prefix) - 1);
  const n = (b + host) >>> 0;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function randomV6(prefixHex: string, prefixBits: number): string {
  const bytes = crypto.randomBytes(16);
  const p = Buffer.from(prefixHex.padEnd(32, "0"), "hex");
  for (let i = 0; i < 16; i++) {
    const bitsLeft = prefixBits - i * 8;
    if (bitsLeft >= 8) bytes[i] = p[i];
    else if (bitsLeft > 0) bytes[i] = (p[i] & (0xff << (8 - bitsLeft))) | (bytes[i] & (0xff >> bitsLeft));
  }
  return bytes.toString("hex").match(/.{4}/g)!.join(":");
}

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  const [org] = await d
    .select()
    .from(organizations)
    .where(sql`${organizations.slug} = 'northwind-health'`);
  orgId = org.id;
  admin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
  target = await startWebhookReceiver(0);
  redirector = await startWebhookReceiver(0);
});
afterAll(async () => {
  await target?.close();
  await redirector?.close();
});

describe("webhook SSRF", () => {
  it("refuses every private, loopback or reserved target when it is added", async () => {
    const urls = [...FIXED];
    for (let i = 0; i < scale(50, 5); i++) {
      for (const r of RANGES) urls.push(`https://${randomIn(r)}/hook`);
      urls.push(`https://[${randomV6("fc", 7)}]/`, `https://[${randomV6("fe80", 10)}]/`, `https://[::ffff:${randomIn(RANGES[i % RANGES.length])}]/`);
    }
    const accepted: string[] = [];
    for (const url of urls) {
      try {
        await createWebhookEndpoint(admin, { orgId, url, eventTypes: ["zdr.enabled"] });
        accepted.push(url);
      } catch (err) {
        expect((err as { code?: string }).code).toBe("invalid");
        // The refusal names the field, and never echoes the URL.
        expect((err as Error).message).toMatch(/^url: /);
        expect((err as Error).message).not.toContain(url);
      }
    }
    record("webhook SSRF", "private or loopback targets tried when adding an endpoint", urls.length);
    record("webhook SSRF", "targets accepted", accepted.length, "0");
    expect(accepted).toEqual([]);
    // The guard itself, on a public address, lets it through (so the test can fail).
    expect(isNonPublicAddress("93.184.215.14")).toBe(false);
    expect(isNonPublicAddress("2606:4700::1111")).toBe(false);
  });

  it("refuses them again at delivery time, and follows no redirect: 0 requests arrive", async () => {
    const d = db.handle().db;
    const port = target.port;
    const stored = [
      `http://127.0.0.1:${port}/a`,
      `https://127.0.0.1:${port}/b`,
      `http://localhost:${port}/c`,
      `http://[::ffff:127.0.0.1]:${port}/d`,
      `http://2130706433:${port}/e`,
      `http://0177.0.0.1:${port}/f`,
      `http://127.1:${port}/g`,
    ];
    // Rows that got past creation (added while private targets were allowed, or by a name that since resolves to loopback).
    await d
      .insert(webhookEndpoints)
      .values(stored.map((url) => ({ orgId, url, eventTypes: ["zdr.enabled"], secretEncrypted: encryptSecret(generateWebhookSecret()) })));
    const n = scale(20, 3);
    for (let i = 0; i < n; i++) await d.transaction((tx) => enqueueWebhookEvent(tx, { orgId, type: "zdr.enabled", data: { orgId, i } }));
    await drainOutbox({ db: d, transport: noMail, webhooks: { allowPrivate: false } });
    const delivered = await d
      .select()
      .from(webhookDeliveries)
      .where(sql`${webhookDeliveries.status} = 'delivered'`);

    // A redirect: the first hop is allowed (private targets on), the 302 points at another local receiver; it must never be followed.
    redirector.respond(302, { location: `http://127.0.0.1:${port}/redirected` });
    const [ep] = await d
      .insert(webhookEndpoints)
      .values({ orgId, url: redirector.url, eventTypes: ["zdr.disabled"], secretEncrypted: encryptSecret(generateWebhookSecret()) })
      .returning();
    await d.transaction((tx) => enqueueWebhookEvent(tx, { orgId, type: "zdr.disabled", data: { orgId } }));
    await drainOutbox({ db: d, transport: noMail, webhooks: { allowPrivate: true } });
    const [redirected] = await d
      .select()
      .from(webhookDeliveries)
      .where(sql`${webhookDeliveries.endpointId} = ${ep.id}`);

    record("webhook SSRF", "deliveries attempted to private targets (incl. one redirect)", stored.length * n + 1);
    record("webhook SSRF", "requests that reached a private target", target.requests.length + delivered.length, "0");
    expect(target.requests).toEqual([]);
    expect(delivered).toEqual([]);
    expect(redirector.requests).toHaveLength(1);
    expect(redirected).toMatchObject({ status: "pending", lastStatusCode: 302 });
    // Refused addresses are not retried.
    const due = await d
      .select()
      .from(outbox)
      .where(sql`${outbox.kind} = 'webhook' and ${outbox.abandonedAt} is null and ${outbox.deliveredAt} is null`);
    expect(due).toHaveLength(1); // only the redirect, which is an ordinary failure
  });
});

/**
 * The demo world of the design (README lists it). Seeded on the embedded
 * default at first start, and on any database by `npm run seed:demo`.
 * Idempotent: it does nothing when the demo world is already there.
 */
import { eq, sql } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { appendAudit } from "@/lib/audit/chain";
import { hashPassword } from "@/lib/auth/password";
import { enrolWithKnownSecret } from "@/lib/auth/two-factor";
import { rebuildRollups } from "@/lib/usage/rollups";
import type { Plan, Product } from "@/lib/vocabulary";
import { memberships, organizations, projects, retentionStates, supportStaff, users, zdrRequests } from "@/lib/db/schema";

export const DEMO_PASSWORD = "demo-password-1";
/** The demo support user's TOTP seed (base32), published in the README: `oathtool --totp -b ZDRDEMOSUPPORTTOTPSECRET`. */
export const DEMO_SUPPORT_TOTP_SECRET = "ZDRDEMOSUPPORTTOTPSECRET";

export const DEMO_USERS = [
  { email: "admin@northwind.example", name: "Nadia Okafor", org: "northwind-health", role: "admin" },
  { email: "member@northwind.example", name: "Marcus Lee", org: "northwind-health", role: "member" },
  { email: "admin@contoso.example", name: "Clara Jensen", org: "contoso-bank", role: "admin" },
  { email: "member@contoso.example", name: "Tomás Ruiz", org: "contoso-bank", role: "member" },
  { email: "owner@fabrikam.example", name: "Fiona Park", org: "fabrikam-studio", role: "admin" },
  { email: "support@provider.example", name: "Sam Rivera (Support)", org: null, role: "support" },
] as const;

type Mix = { product: Product; model: string; weight: number }[];

type DemoOrg = {
  slug: string;
  name: string;
  plan: Plan;
  timeZone: string;
  /** Average requests per hour over the 90 days. */
  rate: number;
  mix: Mix;
  apiKeys: string[];
  /** Projects of the org (design, "Projects and the effective policy"); events of `apiKey` carry the project's id. */
  projects?: { name: string; apiKey: string; contentRetentionDays?: number }[];
};

export const DEMO_ORGS: DemoOrg[] = [
  {
    slug: "northwind-health",
    name: "Northwind Health",
    plan: "enterprise",
    timeZone: "America/New_York",
    rate: 80,
    mix: [
      { product: "speech_to_text", model: "scribe-v2", weight: 30 },
      { product: "speech_to_text", model: "scribe-v2-realtime", weight: 15 },
      { product: "llm", model: "atlas-large", weight: 18 },
      { product: "llm", model: "atlas-small", weight: 12 },
      { product: "text_to_speech", model: "tts-multilingual-v3", weight: 15 },
      { product: "text_to_speech", model: "tts-flash-v2", weight: 10 },
    ],
    apiKeys: ["key_nw_clinical", "key_nw_portal", "key_nw_batch"],
    projects: [
      { name: "Clinical dictation", apiKey: "key_nw_clinical" },
      { name: "Patient hotline", apiKey: "key_nw_portal" },
    ],
  },
  {
    slug: "contoso-bank",
    name: "Contoso Bank",
    plan: "enterprise",
    timeZone: "Europe/London",
    rate: 60,
    mix: [
      { product: "llm", model: "atlas-large", weight: 25 },
      { product: "llm", model: "atlas-small", weight: 25 },
      { product: "speech_to_text", model: "scribe-v2-realtime", weight: 30 },
      { product: "text_to_speech", model: "tts-flash-v2", weight: 20 },
    ],
    apiKeys: ["key_cb_contact_center", "key_cb_fraud", "key_cb_app"],
    projects: [{ name: "Contact center", apiKey: "key_cb_contact_center", contentRetentionDays: 7 }],
  },
  {
    slug: "fabrikam-studio",
    name: "Fabrikam Studio",
    plan: "free",
    timeZone: "Europe/Berlin",
    rate: 12,
    mix: [
      { product: "text_to_speech", model: "tts-multilingual-v3", weight: 50 },
      { product: "voice_changer", model: "vc-sts-v2", weight: 25 },
      { product: "dubbing", model: "dub-v1", weight: 15 },
      { product: "voice_cloning", model: "clone-ivc-v2", weight: 10 },
    ],
    apiKeys: ["key_fs_studio"],
  },
];

/** Units and latency by product, as SQL over random draws u1, u2 in [0,1). */
const inputUnits = sql.raw(`case product
  when 'text_to_speech' then 50 + floor(u1 * u1 * 1500)
  when 'voice_changer' then 3 + floor(u1 * 120)
  when 'speech_to_text' then 5 + floor(u1 * u1 * 600)
  when 'llm' then 200 + floor(u1 * u1 * 6000)
  when 'dubbing' then 30 + floor(u1 * 1800)
  when 'voice_cloning' then 30 + floor(u1 * 600)
  else 10 + floor(u1 * 100) end`);
const outputUnits = sql.raw(`case product
  when 'text_to_speech' then ceil((50 + floor(u1 * u1 * 1500)) / 15.0)
  when 'voice_changer' then 3 + floor(u1 * 120)
  when 'speech_to_text' then (5 + floor(u1 * u1 * 600)) * 14
  when 'llm' then 50 + floor(u2 * 1200)
  when 'dubbing' then 30 + floor(u1 * 1800)
  when 'voice_cloning' then 1
  else 10 end`);
const latency = sql.raw(`case product
  when 'text_to_speech' then 120 + floor(u2 * u2 * 900)
  when 'voice_changer' then 300 + floor(u2 * 1500)
  when 'speech_to_text' then 250 + floor(u1 * 2500 + u2 * 600)
  when 'llm' then 400 + floor(u2 * u2 * 9000)
  when 'dubbing' then 5000 + floor(u2 * 40000)
  when 'voice_cloning' then 2000 + floor(u2 * 20000)
  else 500 end`);

function mixCase(mix: Mix): ReturnType<typeof sql.raw>[] {
  const total = mix.reduce((a, m) => a + m.weight, 0);
  let acc = 0;
  const productWhens: string[] = [];
  const modelWhens: string[] = [];
  for (const m of mix) {
    acc += m.weight / total;
    productWhens.push(`when r < ${acc.toFixed(6)} then '${m.product}'`);
    modelWhens.push(`when r < ${acc.toFixed(6)} then '${m.model}'`);
  }
  return [
    sql.raw(`(case ${productWhens.join(" ")} else '${mix[mix.length - 1].product}' end)::product`),
    sql.raw(`(case ${modelWhens.join(" ")} else '${mix[mix.length - 1].model}' end)`),
  ];
}

/**
 * 90 days of synthetic metadata: a working-day rhythm (peak mid-afternoon
 * UTC, quiet nights, weekends at 40%), slow growth, ~3% errors.
 */
async function seedUsage(tx: Tx, orgId: string, org: DemoOrg, zdrSince: Date | null, projectOfKey: Map<string, string>): Promise<void> {
  const [productCase, modelCase] = mixCase(org.mix);
  const keys = sql.raw(`array[${org.apiKeys.map((k) => `'${k}'`).join(",")}]`);
  // Ids generated by the database, so they are uuids as written: only the key → project map is spliced in.
  const projectCase = projectOfKey.size
    ? sql.raw(`(case api_key_id ${[...projectOfKey].map(([k, id]) => `when '${k}' then '${id}'::uuid`).join(" ")} end)`)
    : sql.raw("null::uuid");
  await tx.execute(sql`
    insert into usage_events
      (id, org_id, occurred_at, product, model, input_units, output_units, status, latency_ms, api_key_id, project_id, zero_retention, received_at)
    select id, org_id, t, product, model, input_units, output_units, status, latency_ms, api_key_id, ${projectCase}, zero_retention, t
    from (
    select gen_random_uuid() as id, ${orgId}::uuid as org_id, t, product, model, ${inputUnits} as input_units, ${outputUnits} as output_units,
           (case when u3 < 0.02 then 'client_error' when u3 < 0.03 then 'server_error' else 'ok' end)::usage_status as status,
           ${latency} as latency_ms, (${keys})[1 + floor(u4 * ${org.apiKeys.length})::int] as api_key_id,
           ${zdrSince ? sql`t >= ${zdrSince.toISOString()}::timestamptz` : sql`false`} as zero_retention
    from (
      select t, ${productCase} as product, ${modelCase} as model, u1, u2, u3, u4
      from (
        select h + random() * interval '1 hour' as t, random() as r, random() as u1, random() as u2,
               random() as u3, random() as u4
        from generate_series(date_trunc('hour', now()) - interval '90 days', date_trunc('hour', now()) - interval '1 hour',
                             interval '1 hour') as h,
        lateral generate_series(1, greatest(0, round(${org.rate} *
            (0.25 + 1.6 * exp(-power(extract(hour from h at time zone 'UTC') - 15, 2) / 20.0)) *
            (case when extract(isodow from h at time zone 'UTC') >= 6 then 0.4 else 1.0 end) *
            (0.8 + 0.4 * extract(epoch from h - (now() - interval '90 days')) / extract(epoch from interval '90 days')) *
            (0.85 + 0.3 * random()))::int)) as n
      ) raw
    ) drawn
    where t < now()
    ) keyed`);
  await rebuildRollups(tx, orgId);
}

export async function isDemoSeeded(db: Tx): Promise<boolean> {
  const [row] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "northwind-health"));
  return Boolean(row);
}

/** Seeds the demo world once; returns false when it was already there. */
export async function seedDemoWorld(db: Db, options: { usage?: boolean } = {}): Promise<boolean> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  return db.transaction(async (tx) => {
    // Serialise two starts racing on one PostgreSQL database.
    await tx.execute(sql`select pg_advisory_xact_lock(7286003)`);
    if (await isDemoSeeded(tx)) return false;

    const userIds = new Map<string, string>();
    for (const u of DEMO_USERS) {
      const [row] = await tx.insert(users).values({ email: u.email, name: u.name, passwordHash }).returning({ id: users.id });
      userIds.set(u.email, row.id);
      if (u.role === "support") {
        await tx.insert(supportStaff).values({ userId: row.id });
        await enrolWithKnownSecret(tx, row.id, DEMO_SUPPORT_TOTP_SECRET);
      }
    }
    const orgIds = new Map<string, string>();
    for (const o of DEMO_ORGS) {
      const [row] = await tx
        .insert(organizations)
        .values({ slug: o.slug, name: o.name, plan: o.plan, timeZone: o.timeZone, createdAt: new Date(now - 120 * day) })
        .returning({ id: organizations.id });
      orgIds.set(o.slug, row.id);
    }
    for (const u of DEMO_USERS) {
      if (u.org) await tx.insert(memberships).values({ orgId: orgIds.get(u.org)!, userId: userIds.get(u.email)!, role: u.role as "admin" | "member" });
    }

    const northwind = orgIds.get("northwind-health")!;
    const contoso = orgIds.get("contoso-bank")!;
    const fabrikam = orgIds.get("fabrikam-studio")!;
    const support = userIds.get("support@provider.example")!;
    const northwindAdmin = userIds.get("admin@northwind.example")!;
    const contosoAdmin = userIds.get("admin@contoso.example")!;
    const zdrSince = new Date(now - 60 * day);

    const off = { zdrStatus: "off", zdrScope: "all_requests", restriction: "none" } as const;
    await tx.insert(retentionStates).values([
      { orgId: northwind, zdrStatus: "active", zdrScope: "all_requests", zdrSince, zdrRequestedBy: northwindAdmin, cacheWindowSeconds: 0 },
      { orgId: contoso, zdrStatus: "requested", zdrScope: "all_requests", zdrRequestedBy: contosoAdmin },
      { orgId: fabrikam, ...off },
    ]);
    await tx.insert(zdrRequests).values([
      {
        orgId: northwind,
        requestedBy: northwindAdmin,
        scope: "all_requests",
        note: "HIPAA: clinical dictation and patient messaging.",
        status: "approved",
        resolvedBy: support,
        resolvedAt: zdrSince,
        createdAt: new Date(now - 61 * day),
      },
      {
        orgId: contoso,
        requestedBy: contosoAdmin,
        scope: "all_requests",
        note: "PCI DSS scope reduction for the contact center.",
        status: "pending",
        createdAt: new Date(now - 26 * 3600 * 1000),
      },
    ]);

    // The audit trail is dated when its changes happened, so it, the state (zdrSince) and the
    // usage events' zero_retention flags tell one story (the ZDR coverage on /retention reads all three).
    const demo = { actorLabel: "demo seed", reason: "Demo world", before: null } as const;
    const requested = { zdrStatus: "requested", zdrScope: "all_requests", restriction: "none" } as const;
    await appendAudit(tx, {
      ...demo,
      orgId: northwind,
      actorType: "user",
      actorId: northwindAdmin,
      action: "zdr.requested",
      after: requested,
      ticketRef: null,
      at: new Date(now - 61 * day),
    });
    await appendAudit(tx, {
      ...demo,
      orgId: northwind,
      actorType: "support",
      actorId: support,
      action: "zdr.enabled",
      before: requested,
      after: { ...requested, zdrStatus: "active" },
      ticketRef: "SUP-1042",
      at: zdrSince,
    });
    await appendAudit(tx, {
      ...demo,
      orgId: contoso,
      actorType: "user",
      actorId: contosoAdmin,
      action: "zdr.requested",
      after: requested,
      ticketRef: null,
      at: new Date(now - 26 * 3600 * 1000),
    });

    const projectOfKey = new Map<string, Map<string, string>>();
    for (const o of DEMO_ORGS) {
      const keys = new Map<string, string>();
      projectOfKey.set(o.slug, keys);
      const orgId = orgIds.get(o.slug)!;
      const adminId = o.slug === "northwind-health" ? northwindAdmin : contosoAdmin;
      for (const p of o.projects ?? []) {
        const [row] = await tx
          .insert(projects)
          .values({ orgId, name: p.name, contentRetentionDays: p.contentRetentionDays ?? null, createdAt: new Date(now - 100 * day) })
          .returning();
        keys.set(p.apiKey, row.id);
        await appendAudit(tx, {
          ...demo,
          orgId,
          actorType: "user",
          actorId: adminId,
          action: "project.created",
          after: { projectId: row.id, name: p.name, contentRetentionDays: row.contentRetentionDays },
          ticketRef: null,
        });
      }
    }

    if (options.usage !== false) {
      await seedUsage(tx, northwind, DEMO_ORGS[0], zdrSince, projectOfKey.get("northwind-health")!);
      await seedUsage(tx, contoso, DEMO_ORGS[1], null, projectOfKey.get("contoso-bank")!);
      await seedUsage(tx, fabrikam, DEMO_ORGS[2], null, projectOfKey.get("fabrikam-studio")!);
    }
    return true;
  });
}

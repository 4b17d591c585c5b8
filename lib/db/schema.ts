/**
 * The whole data model of ZDR Console, in one file, readable top to bottom.
 *
 * Invariant 1 of the design (metadata only) is enforced here by omission: the
 * usage tables have a fixed list of metadata columns and nothing that could
 * hold prompt, transcript, audio or output content.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  ACTOR_TYPES,
  NOTICE_KINDS,
  ORG_ROLES,
  PLANS,
  PRODUCT_IDS,
  REMOVAL_JOB_KINDS,
  REMOVAL_JOB_STATUSES,
  REMOVAL_ORDER_STATUSES,
  REMOVAL_SCOPES,
  REMOVAL_STATUSES,
  RESTRICTION_REASONS,
  RESTRICTIONS,
  USAGE_STATUSES,
  WEBHOOK_DELIVERY_STATUSES,
  SESSION_END_REASONS,
  FLAG_REVIEW_STATUSES,
  ZDR_REQUEST_STATUSES,
  ZDR_SCOPES,
  ZDR_STATUSES,
} from "@/lib/vocabulary";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

// ---------------------------------------------------------------------------
// Enumerations (the vocabulary of the design: lib/vocabulary.ts)
// ---------------------------------------------------------------------------
export const planEnum = pgEnum("plan", PLANS);
export const membershipRoleEnum = pgEnum("membership_role", ORG_ROLES);
export const zdrStatusEnum = pgEnum("zdr_status", ZDR_STATUSES);
export const zdrScopeEnum = pgEnum("zdr_scope", ZDR_SCOPES);
export const restrictionEnum = pgEnum("restriction", RESTRICTIONS);
export const restrictionReasonEnum = pgEnum("restriction_reason", RESTRICTION_REASONS);
export const zdrRequestStatusEnum = pgEnum("zdr_request_status", ZDR_REQUEST_STATUSES);
/** Products of the provider; units and ZDR eligibility live in lib/usage/products.ts. */
export const productEnum = pgEnum("product", PRODUCT_IDS);
export const usageStatusEnum = pgEnum("usage_status", USAGE_STATUSES);
export const actorTypeEnum = pgEnum("actor_type", ACTOR_TYPES);
export const noticeKindEnum = pgEnum("notice_kind", NOTICE_KINDS);
export const removalScopeEnum = pgEnum("removal_scope", REMOVAL_SCOPES);
export const removalStatusEnum = pgEnum("removal_status", REMOVAL_STATUSES);
export const removalJobKindEnum = pgEnum("removal_job_kind", REMOVAL_JOB_KINDS);
export const removalJobStatusEnum = pgEnum("removal_job_status", REMOVAL_JOB_STATUSES);
export const removalOrderStatusEnum = pgEnum("removal_order_status", REMOVAL_ORDER_STATUSES);
export const webhookDeliveryStatusEnum = pgEnum("webhook_delivery_status", WEBHOOK_DELIVERY_STATUSES);
export const sessionEndReasonEnum = pgEnum("session_end_reason", SESSION_END_REASONS);
export const flagReviewStatusEnum = pgEnum("flag_review_status", FLAG_REVIEW_STATUSES);

// ---------------------------------------------------------------------------
// People and organizations
// ---------------------------------------------------------------------------
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Stored lower-cased; unique. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash"),
    /** Bumped to revoke every session of the user (sign out everywhere, role change, disable). */
    sessionVersion: integer("session_version").notNull().default(0),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email)],
);

/** The provider's own staff. A user is support staff iff a row exists here. */
export const supportStaff = pgTable("support_staff", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
});

export const organizations = pgTable(
  "organizations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    plan: planEnum("plan").notNull().default("free"),
    /** IANA time zone used for day boundaries in analytics. */
    timeZone: text("time_zone").notNull().default("UTC"),
    /** Raw usage events older than this are purged (rollups stay); support may change it within bounds. */
    usageRetentionDays: integer("usage_retention_days").notNull().default(400),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("organizations_slug_key").on(t.slug), check("usage_retention_days_range", sql`${t.usageRetentionDays} between 30 and 1825`)],
);

export const memberships = pgTable(
  "memberships",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: membershipRoleEnum("role").notNull().default("member"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: membershipRoleEnum("role").notNull().default("member"),
    /** SHA-256 of the one-time token; the token itself is only in the email. */
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("invitations_token_hash_key").on(t.tokenHash), index("invitations_org_idx").on(t.orgId)],
);

/**
 * "Forgot password?" links: one live per user (a new request replaces the
 * old), single use, expiring. Only the SHA-256 of the token is stored; the
 * token itself is only in the email.
 */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("password_resets_token_hash_key").on(t.tokenHash), index("password_resets_user_idx").on(t.userId)],
);

/** Sign-in attempts, for throttling and the security log. Never holds a password. */
export const authEvents = pgTable(
  "auth_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind").notNull(), // AuthEventKind in lib/auth/throttle.ts
    email: text("email"),
    userId: uuid("user_id"),
    ip: text("ip"),
    createdAt: createdAt(),
  },
  (t) => [index("auth_events_email_ip_idx").on(t.email, t.ip, t.createdAt), index("auth_events_ip_idx").on(t.ip, t.createdAt)],
);

/**
 * A user's TOTP authenticator (RFC 6238). The seed is sealed (lib/sealed.ts),
 * never stored in the clear; `confirmedAt` null while enrolment waits for the
 * first code. `lastUsedStep` refuses a code a second time (RFC 6238, 5.2).
 */
export const userTotp = pgTable("user_totp", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secretSealed: text("secret_sealed").notNull(),
  confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
  lastUsedStep: bigint("last_used_step", { mode: "number" }),
  createdAt: createdAt(),
});

/**
 * One row per signed-in device: the session JWT carries its id, and every
 * request checks the row is still open, so one session can be ended on its
 * own (from another device's session list) while the others go on. The
 * device is a coarse label from the user agent ("Chrome on Linux"); no IP
 * address is kept.
 */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    device: text("device").notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    endReason: sessionEndReasonEnum("end_reason"),
  },
  (t) => [index("user_sessions_user_idx").on(t.userId, t.createdAt)],
);

/** One-time recovery codes for a lost authenticator: SHA-256 of each code, spent once. */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("recovery_codes_user_hash_key").on(t.userId, t.codeHash)],
);

/**
 * An organization's OpenID Connect single sign-on, configured by support
 * staff. The client secret is sealed (lib/sealed.ts). With `enforced`, the
 * org's email domains may not sign in with a password.
 */
export const orgSso = pgTable("org_sso", {
  orgId: uuid("org_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  issuer: text("issuer").notNull(),
  clientId: text("client_id").notNull(),
  clientSecretSealed: text("client_secret_sealed").notNull(),
  enforced: boolean("enforced").notNull().default(false),
  updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Which org's identity provider an email domain signs in with: one org per domain, by the primary key. */
export const ssoDomains = pgTable(
  "sso_domains",
  {
    domain: text("domain").primaryKey(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => orgSso.orgId, { onDelete: "cascade" }),
  },
  (t) => [index("sso_domains_org_idx").on(t.orgId)],
);

// ---------------------------------------------------------------------------
// Retention state (the one source of truth: emblem, pages, policy API, audit)
// ---------------------------------------------------------------------------
export const retentionStates = pgTable(
  "retention_states",
  {
    orgId: uuid("org_id")
      .primaryKey()
      .references(() => organizations.id, { onDelete: "cascade" }),
    zdrStatus: zdrStatusEnum("zdr_status").notNull().default("off"),
    zdrScope: zdrScopeEnum("zdr_scope").notNull().default("all_requests"),
    zdrSince: timestamp("zdr_since", { withTimezone: true }),
    /** Who asked for ZDR (a customer admin), shown in the emblem's panel. */
    zdrRequestedBy: uuid("zdr_requested_by").references(() => users.id, { onDelete: "set null" }),
    restriction: restrictionEnum("restriction").notNull().default("none"),
    restrictionReason: restrictionReasonEnum("restriction_reason"),
    restrictionNote: text("restriction_note"),
    restrictedSince: timestamp("restricted_since", { withTimezone: true }),
    cacheWindowSeconds: integer("cache_window_seconds").notNull().default(3600),
    contentRetentionDays: integer("content_retention_days").notNull().default(30),
    /** null: derived from plan (free trains, paid never); a contract may override. */
    trainingUseOverride: boolean("training_use_override"),
    /** Optimistic concurrency: every change bumps it; a stale writer gets a conflict. */
    version: integer("version").notNull().default(1),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("cache_window_range", sql`${t.cacheWindowSeconds} between 0 and 3600`),
    check("retention_days_range", sql`${t.contentRetentionDays} between 0 and 3650`),
    check("restriction_reason_present", sql`(${t.restriction} = 'none') = (${t.restrictionReason} is null)`),
  ],
);

export const zdrRequests = pgTable(
  "zdr_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    requestedBy: uuid("requested_by").references(() => users.id, { onDelete: "set null" }),
    scope: zdrScopeEnum("scope").notNull().default("all_requests"),
    note: text("note"),
    status: zdrRequestStatusEnum("status").notNull().default("pending"),
    resolvedBy: uuid("resolved_by").references(() => users.id, { onDelete: "set null" }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("zdr_requests_status_idx").on(t.status, t.createdAt),
    // At most one pending request per org.
    uniqueIndex("zdr_requests_one_pending")
      .on(t.orgId)
      .where(sql`${t.status} = 'pending'`),
  ],
);

export const moderationFlags = pgTable(
  "moderation_flags",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    category: text("category").notNull(),
    severity: text("severity").notNull(),
    restrict: boolean("restrict").notNull().default(false),
    tokenId: uuid("token_id"),
    createdAt: createdAt(),
    /** Support's review: open until someone reviews it (the flag stands) or dismisses it; audited either way. */
    reviewStatus: flagReviewStatusEnum("review_status").notNull().default("open"),
    reviewedBy: uuid("reviewed_by").references(() => users.id, { onDelete: "set null" }),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    reviewNote: text("review_note"),
  },
  (t) => [index("moderation_flags_org_idx").on(t.orgId, t.createdAt)],
);

/**
 * Append-only and tamper-evident: each row holds the hash of the previous
 * one; a trigger (see drizzle/ custom migration) refuses UPDATE and DELETE.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: uuid("org_id"),
    actorType: actorTypeEnum("actor_type").notNull(),
    actorId: text("actor_id"),
    actorLabel: text("actor_label"),
    action: text("action").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
    reason: text("reason"),
    ticketRef: text("ticket_ref"),
    createdAt: createdAt(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    /** The entry's leaf index in its org's Merkle tree (null: not an org's entry). */
    orgSeq: bigint("org_seq", { mode: "number" }),
  },
  (t) => [
    index("audit_log_org_idx").on(t.orgId, t.id),
    uniqueIndex("audit_log_hash_key").on(t.hash),
    uniqueIndex("audit_log_org_seq_key").on(t.orgId, t.orgSeq),
  ],
);

/**
 * Each org's RFC 6962 Merkle tree over its audit entries: every complete
 * subtree's hash (level 0 = leaf hashes), written as entries are appended,
 * so a proof reads O(log n) rows. Append-only like the log.
 */
export const auditTreeNodes = pgTable(
  "audit_tree_nodes",
  {
    orgId: uuid("org_id").notNull(),
    level: integer("level").notNull(),
    idx: bigint("idx", { mode: "number" }).notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.level, t.idx] })],
);

/** A signed checkpoint (compact JWS) of an org's tree after each append. */
export const auditCheckpoints = pgTable(
  "audit_checkpoints",
  {
    orgId: uuid("org_id").notNull(),
    treeSize: bigint("tree_size", { mode: "number" }).notNull(),
    rootHash: text("root_hash").notNull(),
    jws: text("jws").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.treeSize] })],
);

/**
 * A signed monthly retention statement per org (lib/statements/): issued
 * once per month, after the month ends, in the org's time zone. Append-only
 * in practice: nothing updates a statement once issued.
 */
export const retentionStatements = pgTable(
  "retention_statements",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** YYYY-MM, the org's calendar month. */
    month: text("month").notNull(),
    jws: text("jws").notNull(),
    issuedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.month] })],
);

export const notices = pgTable(
  "notices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    kind: noticeKindEnum("kind").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    details: jsonb("details"),
    auditId: bigint("audit_id", { mode: "number" }),
    createdAt: createdAt(),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: uuid("acknowledged_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [index("notices_org_idx").on(t.orgId, t.createdAt)],
);

/**
 * Transactional outbox: written in the same transaction as the change that
 * owes the message, drained by the worker with FOR UPDATE SKIP LOCKED.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind").notNull(), // 'email' | 'webhook'
    /** Stable across retries so a duplicate delivery can be recognised. */
    messageId: text("message_id").notNull(),
    payload: jsonb("payload").notNull(),
    attempts: integer("attempts").notNull().default(0),
    availableAt: timestamp("available_at", { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lastError: text("last_error"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    /** Set when retries are spent (a webhook after its last attempt); never claimed again. */
    abandonedAt: timestamp("abandoned_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("outbox_message_id_key").on(t.messageId),
    index("outbox_pending_idx")
      .on(t.availableAt)
      .where(sql`${t.deliveredAt} is null`),
  ],
);

// ---------------------------------------------------------------------------
// Webhooks (lib/webhooks/): an org's endpoints and the log of deliveries
// ---------------------------------------------------------------------------

/**
 * An org's webhook endpoint. The signing secret must be usable to sign, so
 * it is kept, but only encrypted (AES-256-GCM, lib/webhooks/secrets.ts); a
 * rotated-out secret stays until `previousSecretExpiresAt` so receivers can
 * switch over (both signatures are sent meanwhile).
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** Event types (lib/vocabulary.ts WEBHOOK_EVENT_TYPES) this endpoint receives. */
    eventTypes: text("event_types").array().notNull(),
    secretEncrypted: text("secret_encrypted").notNull(),
    previousSecretEncrypted: text("previous_secret_encrypted"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    /** Deliveries that failed in a row (every attempt spent); reset by a success. */
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    disabledReason: text("disabled_reason"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_endpoints_org_idx").on(t.orgId)],
);

/** One event for one endpoint; its `webhookId` is the `webhook-id` header, the same on every retry. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    webhookId: text("webhook_id").notNull(),
    eventType: text("event_type").notNull(),
    status: webhookDeliveryStatusEnum("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    /** A short class of failure (timeout, refused address, HTTP 500), never a response body. */
    lastError: text("last_error"),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("webhook_deliveries_webhook_id_key").on(t.webhookId), index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt)],
);

export const serviceTokens = pgTable(
  "service_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** SHA-256 of the token; the token is shown once and never stored. */
    tokenHash: text("token_hash").notNull(),
    /** The first characters, to recognise a token in a list. */
    prefix: text("prefix").notNull(),
    scopes: text("scopes").array().notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: uuid("revoked_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("service_tokens_hash_key").on(t.tokenHash)],
);

// ---------------------------------------------------------------------------
// Projects: a project may only tighten its organization's retention
// (strictest wins, lib/retention/policy.ts); null override = inherit.
// ---------------------------------------------------------------------------
export const projects = pgTable(
  "projects",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    archivedAt: timestamp("archived_at", { withTimezone: true }),
    /** true: ZDR for every request of the project where the org's scope is per_request. */
    zdrAllRequests: boolean("zdr_all_requests").notNull().default(false),
    /** null: the organization's value; otherwise at most the organization's. */
    cacheWindowSeconds: integer("cache_window_seconds"),
    /** null: the organization's value; otherwise at most the organization's. */
    contentRetentionDays: integer("content_retention_days"),
    /** null: the organization's value; only false (no training use) may be set. */
    trainingUse: boolean("training_use"),
    /** Optimistic concurrency: every change bumps it. */
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [
    index("projects_org_idx").on(t.orgId),
    uniqueIndex("projects_id_org_key").on(t.id, t.orgId),
    check("project_cache_window_range", sql`${t.cacheWindowSeconds} is null or ${t.cacheWindowSeconds} between 0 and 3600`),
    check("project_retention_days_range", sql`${t.contentRetentionDays} is null or ${t.contentRetentionDays} between 0 and 3650`),
    check("project_training_use_only_false", sql`${t.trainingUse} is null or ${t.trainingUse} = false`),
  ],
);

// ---------------------------------------------------------------------------
// Policy changes: one row per committed change of what an org's effective
// policy is derived from (written by triggers, drizzle/0081), so the policy
// stream can number its events and replay them after Last-Event-ID.
// ---------------------------------------------------------------------------
export const policyChanges = pgTable(
  "policy_changes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** No foreign key: the change of an org that is then deleted is still news to the fleet. */
    orgId: uuid("org_id").notNull(),
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("policy_changes_changed_at_idx").on(t.changedAt)],
);

// ---------------------------------------------------------------------------
// Usage metadata: exactly the fields of the machine API, nothing else
// ---------------------------------------------------------------------------
export const usageEvents = pgTable(
  "usage_events",
  {
    /** The fleet's event id: ingest is idempotent by it. */
    id: uuid("id").primaryKey(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    product: productEnum("product").notNull(),
    model: text("model").notNull(),
    inputUnits: bigint("input_units", { mode: "number" }).notNull(),
    outputUnits: bigint("output_units", { mode: "number" }).notNull(),
    status: usageStatusEnum("status").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    apiKeyId: text("api_key_id"),
    /** A project of the event's organization, or null (ingest checks the org). */
    projectId: uuid("project_id"),
    zeroRetention: boolean("zero_retention").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("usage_events_org_time_idx").on(t.orgId, t.occurredAt),
    // A project of the same organization, enforced by the database too.
    foreignKey({ columns: [t.projectId, t.orgId], foreignColumns: [projects.id, projects.orgId] }).onDelete("cascade"),
    index("usage_events_project_time_idx")
      .on(t.projectId, t.occurredAt)
      .where(sql`${t.projectId} is not null`),
  ],
);

/**
 * Rollups, one per grain the pages read, updated in the same transaction as
 * the events. `apiKeyId` is '' when the event had none, so it can be a key;
 * `projectId` likewise is '' for "no project", else the project's uuid as text.
 * `latencyHist` counts events per latency bucket (bounds in lib/usage), so
 * p50/p95 can be read from rollups without scanning raw events.
 */
const rollupColumns = () => ({
  orgId: uuid("org_id")
    .notNull()
    .references(() => organizations.id, { onDelete: "cascade" }),
  product: productEnum("product").notNull(),
  model: text("model").notNull(),
  apiKeyId: text("api_key_id").notNull().default(""),
  projectId: text("project_id").notNull().default(""),
  requests: bigint("requests", { mode: "number" }).notNull().default(0),
  errors: bigint("errors", { mode: "number" }).notNull().default(0),
  inputUnits: bigint("input_units", { mode: "number" }).notNull().default(0),
  outputUnits: bigint("output_units", { mode: "number" }).notNull().default(0),
  latencyMsSum: bigint("latency_ms_sum", { mode: "number" }).notNull().default(0),
  latencyHist: bigint("latency_hist", { mode: "number" }).array().notNull(),
});

export const usageRollupsHourly = pgTable(
  "usage_rollups_hourly",
  {
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    ...rollupColumns(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.hour, t.product, t.model, t.apiKeyId, t.projectId] })],
);

export const usageRollupsDaily = pgTable(
  "usage_rollups_daily",
  {
    /** The calendar day in the organization's time zone. */
    day: date("day", { mode: "string" }).notNull(),
    ...rollupColumns(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day, t.product, t.model, t.apiKeyId, t.projectId] })],
);

// ---------------------------------------------------------------------------
// The PostgreSQL side of the ClickHouse usage store (USAGE_STORE=clickhouse)
// ---------------------------------------------------------------------------
/**
 * The ledger of accepted event ids: ingest decides "new, replay or conflict"
 * here, in one PostgreSQL transaction, by the primary key (a fingerprint of
 * the event's fields tells a replay from a conflict). Only the id, org, time
 * and fingerprint are kept; the events themselves live in ClickHouse.
 */
export const usageLedger = pgTable(
  "usage_ledger",
  {
    id: uuid("id").primaryKey(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    /** sha256 (hex) of the event's fields in a fixed order. */
    fingerprint: text("fingerprint").notNull(),
    apiKeyId: text("api_key_id"),
    projectId: uuid("project_id"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("usage_ledger_org_time_idx").on(t.orgId, t.occurredAt)],
);

/**
 * Accepted events on their way to ClickHouse: written in the ledger's
 * transaction, sent by the relay with `insert_deduplication_token` =
 * `usage-relay-<id>`, deleted in the transaction that saw ClickHouse confirm.
 */
export const usageRelayBatches = pgTable("usage_relay_batches", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  /** The batch as ClickHouse JSONEachRow rows, one JSON array in text: stored and read back whole, never queried inside (text: no jsonb parse on ingest, no re-serialization for the relay). */
  rows: text("rows").notNull(),
  events: integer("events").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
});

// ---------------------------------------------------------------------------
// Data removal with evidence (lib/removal/)
// ---------------------------------------------------------------------------
/**
 * A customer admin's request to remove usage metadata (and, optionally,
 * content the fleet keeps) for a scope and a range of the org's calendar
 * days. `fromAt`/`toAt` are the instants those days cover (to exclusive),
 * fixed when the request is made so the job and the certificate agree.
 */
export const removalRequests = pgTable(
  "removal_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    scope: removalScopeEnum("scope").notNull(),
    projectId: uuid("project_id"),
    apiKeyId: text("api_key_id"),
    fromDay: date("from_day", { mode: "string" }).notNull(),
    toDay: date("to_day", { mode: "string" }).notNull(),
    fromAt: timestamp("from_at", { withTimezone: true }).notNull(),
    toAt: timestamp("to_at", { withTimezone: true }).notNull(),
    timeZone: text("time_zone").notNull(),
    includeContent: boolean("include_content").notNull().default(false),
    status: removalStatusEnum("status").notNull().default("pending"),
    requestedBy: uuid("requested_by").references(() => users.id, { onDelete: "set null" }),
    requestedByLabel: text("requested_by_label"),
    reviewedBy: uuid("reviewed_by").references(() => users.id, { onDelete: "set null" }),
    reviewedByLabel: text("reviewed_by_label"),
    reviewReason: text("review_reason"),
    ticketRef: text("ticket_ref"),
    createdAt: createdAt(),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** Rows removed per table, written when the job's verification passed. */
    counts: jsonb("counts"),
    failure: text("failure"),
    /** The audit entry of the last transition (the certificate names the one that completed it). */
    lastAuditId: bigint("last_audit_id", { mode: "number" }),
  },
  (t) => [
    index("removal_requests_org_idx").on(t.orgId, t.createdAt),
    index("removal_requests_status_idx").on(t.status, t.createdAt),
    check("removal_range_order", sql`${t.fromAt} < ${t.toAt} and ${t.fromDay} <= ${t.toDay}`),
    check("removal_scope_target", sql`(${t.scope} = 'project') = (${t.projectId} is not null) and (${t.scope} = 'api_key') = (${t.apiKeyId} is not null)`),
  ],
);

/**
 * The work of deleting usage metadata, in bounded batches. Progress is
 * written in each batch's own transaction, so a crash loses at most the
 * batch in flight (rolled back whole) and the counts stay exact.
 */
export const removalJobs = pgTable(
  "removal_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: removalJobKindEnum("kind").notNull(),
    requestId: uuid("request_id").references(() => removalRequests.id, { onDelete: "cascade" }),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    projectId: uuid("project_id"),
    apiKeyId: text("api_key_id"),
    fromAt: timestamp("from_at", { withTimezone: true }).notNull(),
    toAt: timestamp("to_at", { withTimezone: true }).notNull(),
    /** Retention purges leave the rollups alone (they hold no request); request removals subtract from them. */
    adjustRollups: boolean("adjust_rollups").notNull(),
    /**
     * Set when the job is first claimed: it removes the events in scope stored
     * by then. Events the fleet reports into the range while it runs are new
     * data, not part of the request (otherwise live ingest into today would
     * keep a job running for ever); the certificate states the cut-off.
     */
    cutoffAt: timestamp("cutoff_at", { withTimezone: true }),
    status: removalJobStatusEnum("status").notNull().default("queued"),
    eventsDeleted: bigint("events_deleted", { mode: "number" }).notNull().default(0),
    hourlyRowsDeleted: bigint("hourly_rows_deleted", { mode: "number" }).notNull().default(0),
    hourlyRowsAdjusted: bigint("hourly_rows_adjusted", { mode: "number" }).notNull().default(0),
    dailyRowsDeleted: bigint("daily_rows_deleted", { mode: "number" }).notNull().default(0),
    dailyRowsAdjusted: bigint("daily_rows_adjusted", { mode: "number" }).notNull().default(0),
    /** Rows in scope still to delete, as of the last batch (the progress people see). */
    rowsRemaining: bigint("rows_remaining", { mode: "number" }),
    batches: integer("batches").notNull().default(0),
    maxBatchMs: integer("max_batch_ms").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    /** A runner holds the job until then; a crashed runner's job is taken again after it. */
    leasedUntil: timestamp("leased_until", { withTimezone: true }),
    lastError: text("last_error"),
    verification: jsonb("verification"),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("removal_jobs_due_idx").on(t.status, t.createdAt), uniqueIndex("removal_jobs_request_key").on(t.requestId)],
);

/** The fleet's part of a request that includes content: taken from GET /api/v1/removal-orders. */
export const removalOrders = pgTable(
  "removal_orders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    requestId: uuid("request_id")
      .notNull()
      .references(() => removalRequests.id, { onDelete: "cascade" }),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    status: removalOrderStatusEnum("status").notNull().default("pending"),
    itemsRemoved: bigint("items_removed", { mode: "number" }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    reportedAt: timestamp("reported_at", { withTimezone: true }),
    reportedBy: uuid("reported_by"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("removal_orders_request_key").on(t.requestId), index("removal_orders_status_idx").on(t.status, t.createdAt)],
);

/**
 * The vocabulary of the design, defined once: the database enums
 * (lib/db/schema.ts builds its pgEnums from these lists), the TypeScript
 * types, the zod enums every input schema uses, and one label per value for
 * what people read. No imports but zod, so client components may use the
 * labels without pulling the data layer into the browser.
 */
import { z } from "zod";

export const PLANS = ["free", "pro", "enterprise"] as const;
export const ORG_ROLES = ["member", "admin"] as const;
export const ZDR_STATUSES = ["off", "requested", "active"] as const;
export const ZDR_SCOPES = ["all_requests", "per_request"] as const;
export const RESTRICTIONS = ["none", "restricted"] as const;
export const RESTRICTION_REASONS = ["high_risk_use_case", "automated_flag", "provider_discretion"] as const;
export const ZDR_REQUEST_STATUSES = ["pending", "approved", "rejected", "withdrawn"] as const;
/** Products of the provider; units and ZDR eligibility live in lib/usage/products.ts. */
export const PRODUCT_IDS = ["text_to_speech", "voice_changer", "speech_to_text", "llm", "voice_cloning", "dubbing", "projects", "agents"] as const;
export const USAGE_STATUSES = ["ok", "client_error", "server_error"] as const;
export const ACTOR_TYPES = ["user", "support", "service", "system"] as const;
export const NOTICE_KINDS = [
  "zdr_requested",
  "zdr_enabled",
  "zdr_disabled",
  "zdr_restricted",
  "restriction_lifted",
  "removal_requested",
  "removal_approved",
  "removal_rejected",
  "removal_cancelled",
  "removal_running",
  "removal_completed",
  "removal_failed",
  "project_changed",
  "webhook_disabled",
] as const;
/** What a removal request covers: the whole org, one project, or one of the customer's API keys. */
export const REMOVAL_SCOPES = ["organization", "project", "api_key"] as const;
/** pending → approved → running → completed | failed; pending → rejected | cancelled. */
export const REMOVAL_STATUSES = ["pending", "approved", "running", "completed", "failed", "rejected", "cancelled"] as const;
/** A job runs an approved request, or purges raw events past the org's usage retention window. */
export const REMOVAL_JOB_KINDS = ["request", "retention"] as const;
export const REMOVAL_JOB_STATUSES = ["queued", "running", "done", "failed"] as const;
export const REMOVAL_ORDER_STATUSES = ["pending", "completed"] as const;
/** Events an organization's webhooks can subscribe to (lib/webhooks/). */
export const WEBHOOK_EVENT_TYPES = [
  "zdr.enabled",
  "zdr.disabled",
  "zdr.restricted",
  "zdr.restriction_lifted",
  "removal.completed",
  "project.policy_changed",
] as const;
/** The test event "send test event" delivers; every endpoint receives it, whatever it subscribes to. */
export const WEBHOOK_TEST_EVENT = "webhook.test" as const;
export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
/** A moderation flag waits for support (open) until someone reviews it (it stands) or dismisses it (a false positive). */
export const FLAG_REVIEW_STATUSES = ["open", "reviewed", "dismissed"] as const;

/** Why a sign-in session ended (lib/auth/sessions.ts); the ended device is told the reason on its next request. */
export const SESSION_END_REASONS = ["signed_out", "ended_elsewhere", "signed_out_everywhere", "password_changed"] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];
/** What the sign-in page says to a device whose session ended for this reason. */
export const SESSION_END_MESSAGES: Record<SessionEndReason, string> = {
  signed_out: "You signed out. Sign in again to continue.",
  ended_elsewhere: "You were signed out: this session was ended from another device. Sign in again to continue.",
  signed_out_everywhere: "You were signed out: your account was signed out on all devices. Sign in again to continue.",
  password_changed: "You were signed out: the password of your account was changed. Sign in with the new password to continue.",
};

/** Where an effective policy value comes from (strictest wins). */
export const POLICY_SOURCES = ["organization", "project"] as const;
export type PolicySource = (typeof POLICY_SOURCES)[number];
export const PolicySourceSchema = z.enum(POLICY_SOURCES);

/** Reasons of the per-request retention decision; defined beside the pure decision the fleet client embeds. */
export { DECISION_REASONS, type DecisionReason } from "../packages/fleet-client/src/decision";

export type Plan = (typeof PLANS)[number];
export type OrgRole = (typeof ORG_ROLES)[number];
export type ZdrStatus = (typeof ZDR_STATUSES)[number];
export type ZdrScope = (typeof ZDR_SCOPES)[number];
export type Restriction = (typeof RESTRICTIONS)[number];
export type RestrictionReason = (typeof RESTRICTION_REASONS)[number];
export type ZdrRequestStatus = (typeof ZDR_REQUEST_STATUSES)[number];
export type Product = (typeof PRODUCT_IDS)[number];
export type UsageStatus = (typeof USAGE_STATUSES)[number];
export type ActorType = (typeof ACTOR_TYPES)[number];
export type NoticeKind = (typeof NOTICE_KINDS)[number];
export type RemovalScope = (typeof REMOVAL_SCOPES)[number];
export type RemovalStatus = (typeof REMOVAL_STATUSES)[number];
export type RemovalJobKind = (typeof REMOVAL_JOB_KINDS)[number];
export type RemovalJobStatus = (typeof REMOVAL_JOB_STATUSES)[number];
export type RemovalOrderStatus = (typeof REMOVAL_ORDER_STATUSES)[number];
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
export type FlagReviewStatus = (typeof FLAG_REVIEW_STATUSES)[number];

export const PlanSchema = z.enum(PLANS);
export const OrgRoleSchema = z.enum(ORG_ROLES, { error: "Choose member or administrator" });
export const ZdrStatusSchema = z.enum(ZDR_STATUSES);
export const ZdrScopeSchema = z.enum(ZDR_SCOPES, { error: "Choose a scope" });
export const RestrictionReasonSchema = z.enum(RESTRICTION_REASONS, { error: "Choose a reason category" });
export const UsageStatusSchema = z.enum(USAGE_STATUSES);
export const RemovalScopeSchema = z.enum(REMOVAL_SCOPES, { error: "Choose organization, project or API key" });
export const RemovalStatusSchema = z.enum(REMOVAL_STATUSES);
export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES, { error: "Choose events from the list" });

export const PLAN_LABELS: Record<Plan, string> = { free: "Free", pro: "Pro", enterprise: "Enterprise" };
export const ROLE_LABELS: Record<OrgRole, string> = { member: "Member", admin: "Administrator" };
export const ZDR_STATUS_LABELS: Record<ZdrStatus, string> = { off: "Off", requested: "Requested", active: "Active" };
export const ZDR_REQUEST_STATUS_LABELS: Record<ZdrRequestStatus, string> = {
  pending: "Pending",
  approved: "Approved",
  rejected: "Declined",
  withdrawn: "Withdrawn by the customer",
};
export const ZDR_SCOPE_LABELS: Record<ZdrScope, string> = {
  all_requests: "All requests",
  per_request: "Per request (enable_logging=false)",
};
export const RESTRICTION_REASON_LABELS: Record<RestrictionReason, string> = {
  high_risk_use_case: "High-risk use case",
  automated_flag: "Automated moderation flag",
  provider_discretion: "Provider discretion",
};
export const REMOVAL_SCOPE_LABELS: Record<RemovalScope, string> = { organization: "Whole organization", project: "One project", api_key: "One API key" };
export const REMOVAL_STATUS_LABELS: Record<RemovalStatus, string> = {
  pending: "Pending review",
  approved: "Approved, waiting to run",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  rejected: "Rejected",
  cancelled: "Cancelled",
};

export const WEBHOOK_EVENT_LABELS: Record<WebhookEventType, string> = {
  "zdr.enabled": "Zero Data Retention enabled",
  "zdr.disabled": "Zero Data Retention disabled",
  "zdr.restricted": "Zero Data Retention restricted",
  "zdr.restriction_lifted": "Restriction lifted",
  "removal.completed": "Data removal completed",
  "project.policy_changed": "Project policy changed",
};
export const WEBHOOK_DELIVERY_STATUS_LABELS: Record<WebhookDeliveryStatus, string> = { pending: "Pending", delivered: "Delivered", failed: "Failed" };

/** The colour scheme a person picked; "system" follows the device's prefers-color-scheme. */
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];
export const ThemeSchema = z.enum(THEMES);
export const THEME_LABELS: Record<Theme, string> = { system: "System", light: "Light", dark: "Dark" };
/** The cookie that holds an explicit choice; absent means "system". */
export const THEME_COOKIE = "zdr_theme";
export function themeOf(value: string | undefined): Theme {
  return value === "light" || value === "dark" ? value : "system";
}

export const FLAG_REVIEW_STATUS_LABELS: Record<FlagReviewStatus, string> = { open: "Open", reviewed: "Reviewed", dismissed: "Dismissed" };
export const FlagReviewOutcomeSchema = z.enum(["reviewed", "dismissed"], { error: "Choose reviewed or dismissed" });

/**
 * An audit entry as a sentence a person reads on their hundredth ticket
 * ("Nadia Okafor invited jane.roe@example.com as Administrator"), and the
 * group it belongs to: retention changes apart from membership events and
 * the rest. Pure: the caller resolves user ids to names first.
 */
import {
  RESTRICTION_REASON_LABELS,
  REMOVAL_STATUS_LABELS,
  ROLE_LABELS,
  ZDR_SCOPE_LABELS,
  type OrgRole,
  type RemovalStatus,
  type RestrictionReason,
  type ZdrScope,
} from "@/lib/vocabulary";

export type AuditGroup = "retention" | "membership" | "other";
export const AUDIT_GROUP_LABELS: Record<AuditGroup, string> = {
  retention: "Retention changes",
  membership: "Members and invitations",
  other: "Other activity",
};

export type SentenceEntry = {
  action: string;
  actorType: "user" | "support" | "service" | "system";
  actorId: string | null;
  actorLabel: string | null;
  before: unknown;
  after: unknown;
};
export type Person = { name: string; email: string };

export function auditGroup(action: string): AuditGroup {
  if (action.startsWith("member.")) return "membership";
  if (action.startsWith("zdr.") || action.startsWith("project.") || action.startsWith("removal.") || action === "usage.retention_changed") return "retention";
  return "other";
}

/** The user ids an entry names (its actor, the member it is about), for the caller to resolve in one query. */
export function peopleOf(entries: SentenceEntry[]): string[] {
  const ids = new Set<string>();
  for (const e of entries) {
    if (e.actorId && (e.actorType === "user" || e.actorType === "support")) ids.add(e.actorId);
    for (const side of [e.before, e.after]) {
      const userId = field(side, "userId");
      if (userId) ids.add(userId);
    }
  }
  return [...ids].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
}

function field(v: unknown, key: string): string | null {
  if (!v || typeof v !== "object") return null;
  const x = (v as Record<string, unknown>)[key];
  return typeof x === "string" ? x : null;
}
function num(v: unknown, key: string): number | null {
  if (!v || typeof v !== "object") return null;
  const x = (v as Record<string, unknown>)[key];
  return typeof x === "number" ? x : null;
}
const role = (r: string | null) => (r && r in ROLE_LABELS ? ROLE_LABELS[r as OrgRole] : "member");
const scope = (s: string | null) => (s && s in ZDR_SCOPE_LABELS ? ZDR_SCOPE_LABELS[s as ZdrScope].toLowerCase() : null);

function actorName(e: SentenceEntry, people: Map<string, Person>): string {
  const p = e.actorId ? people.get(e.actorId) : undefined;
  if (p) return p.name;
  if (e.actorLabel) return e.actorLabel;
  return e.actorType === "system" ? "The system" : e.actorType === "service" ? "A service token" : "A former user";
}

function personName(userId: string | null, people: Map<string, Person>): string {
  const p = userId ? people.get(userId) : undefined;
  return p ? `${p.name} (${p.email})` : "a former member";
}

/** One sentence per entry; an action without a sentence of its own still reads "who · what". */
export function auditSentence(e: SentenceEntry, people: Map<string, Person>): string {
  const who = actorName(e, people);
  const b = e.before;
  const a = e.after;
  switch (e.action) {
    case "member.invited":
      return `${who} invited ${field(a, "email") ?? "someone"} as ${role(field(a, "role"))}`;
    case "member.invitation_resent":
      return `${who} sent ${field(a, "email") ?? "someone"} a new invitation link as ${role(field(a, "role"))}; the earlier link no longer works`;
    case "member.invitation_revoked":
      return `${who} revoked the invitation of ${field(b, "email") ?? "someone"} as ${role(field(b, "role"))}; its link no longer works`;
    case "member.joined":
      return `${field(a, "email") ?? who} accepted the invitation and joined as ${role(field(a, "role"))}`;
    case "member.role_changed":
      return `${who} changed the role of ${personName(field(a, "userId"), people)} from ${role(field(b, "role"))} to ${role(field(a, "role"))}`;
    case "member.removed":
      return `${who} removed ${personName(field(b, "userId"), people)} (${role(field(b, "role"))})`;
    case "zdr.requested":
      return `${who} requested Zero Data Retention${scope(field(a, "zdrScope")) ? ` for ${scope(field(a, "zdrScope"))}` : ""}`;
    case "zdr.enabled":
      return `${who} enabled Zero Data Retention${scope(field(a, "zdrScope")) ? ` for ${scope(field(a, "zdrScope"))}` : ""}`;
    case "zdr.disabled":
      return `${who} turned Zero Data Retention off`;
    case "zdr.request_withdrawn":
      return `${who} withdrew the request for Zero Data Retention`;
    case "zdr.request_declined":
      return `${who} declined the request for Zero Data Retention`;
    case "zdr.restricted": {
      const reason = field(a, "restrictionReason");
      return `${who} restricted Zero Data Retention${reason && reason in RESTRICTION_REASON_LABELS ? ` (${RESTRICTION_REASON_LABELS[reason as RestrictionReason].toLowerCase()})` : ""}`;
    }
    case "zdr.restriction_lifted":
      return `${who} lifted the restriction; Zero Data Retention is ${field(a, "zdrStatus") === "active" ? "honoured again" : (field(a, "zdrStatus") ?? "back to its previous state")}`;
    case "usage.retention_changed":
      return `${who} changed how long usage metadata is kept from ${num(b, "usageRetentionDays") ?? "?"} to ${num(a, "usageRetentionDays") ?? "?"} days`;
    case "project.created":
      return `${who} created the project ${field(a, "name") ?? ""}`.trim();
    case "project.renamed":
      return `${who} renamed the project ${field(b, "name") ?? ""} to ${field(a, "name") ?? ""}`;
    case "project.archived":
      return `${who} archived the project ${field(a, "name") ?? field(b, "name") ?? ""}`.trim();
    case "project.policy_changed":
      return `${who} changed the retention settings of the project ${field(a, "name") ?? field(b, "name") ?? ""}`.trim();
    case "notice.acknowledged":
      return `${who} acknowledged a notice`;
    case "webhook.created":
      return `${who} added a webhook endpoint${field(a, "url") ? ` (${field(a, "url")})` : ""}`;
    case "webhook.deleted":
      return `${who} deleted a webhook endpoint${field(b, "url") ? ` (${field(b, "url")})` : ""}`;
    case "webhook.disabled":
      return `${who} disabled a webhook endpoint after repeated failures`;
    case "webhook.enabled":
      return `${who} enabled a webhook endpoint again`;
    case "webhook.secret_rotated":
      return `${who} rotated a webhook signing secret`;
    case "sso.configured":
      return `${who} configured single sign-on${field(a, "issuer") ? ` through ${field(a, "issuer")}` : ""}`;
    case "sso.removed":
      return `${who} removed single sign-on`;
    case "moderation.flag_reviewed":
      return `${who} reviewed a moderation flag${field(a, "category") ? ` (${field(a, "category")})` : ""}`;
    case "moderation.flag_dismissed":
      return `${who} dismissed a moderation flag${field(a, "category") ? ` (${field(a, "category")})` : ""}`;
  }
  if (e.action.startsWith("removal.")) {
    const status = e.action.slice("removal.".length);
    const label = status in REMOVAL_STATUS_LABELS ? REMOVAL_STATUS_LABELS[status as RemovalStatus].toLowerCase() : status;
    return status === "requested" ? `${who} requested a data removal` : `${who}: data removal ${label}`;
  }
  return `${who} · ${e.action}`;
}

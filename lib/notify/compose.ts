/**
 * What a retention notice says, in the app and by email. Built only from the
 * retention state and what support staff typed (reason category, note,
 * ticket): there is no path from request content to a notice (invariant 1).
 */
import { PRODUCTS } from "@/lib/usage/products";

import { RESTRICTION_REASON_LABELS as REASON_LABELS, type NoticeKind, type RestrictionReason, type ZdrScope } from "@/lib/vocabulary";
import { businessDeadline } from "@/lib/business-time";

export type { NoticeKind, RestrictionReason };

export type NoticeDetails = {
  effectiveAt: string;
  reasonCategory: RestrictionReason | null;
  reasonLabel: string | null;
  note: string | null;
  ticketRef: string | null;
  affectedProducts: string[];
  trafficImpact: string;
  contest: string | null;
  zdrScope: ZdrScope | null;
};

export type NoticeContent = { kind: NoticeKind; title: string; body: string; details: NoticeDetails };

/** Products whose content ZDR covers: what a restriction or a disable takes away. */
export function zdrEligibleProducts(): string[] {
  return PRODUCTS.filter((p) => p.dataTypes.some((d) => d.zdrEligible)).map((p) => p.label);
}

export type NoticeContext = {
  orgName: string;
  effectiveAt: Date;
  contentRetentionDays: number;
  trainingUse: boolean;
  ticketRef: string | null;
  zdrScope?: ZdrScope;
  restriction?: { reason: RestrictionReason; note: string };
  /** After a lift: whether ZDR is honoured again. */
  zdrHonouredAfter?: boolean;
  /** A disable that declines a pending request rather than ending active ZDR. */
  declined?: boolean;
  /** A removal request's transition (kinds removal_*). */
  removal?: RemovalNoticeContext;
  /** A project's change (kind project_changed). */
  project?: ProjectNoticeContext;
};

export type ProjectNoticeContext = {
  projectId: string;
  name: string;
  change: "created" | "renamed" | "archived" | "policy_changed";
  /** "Renamed from …", or the effective values after the change, in words (lib/projects/describe.ts). */
  summary: string;
  /** What the project's traffic keeps after the change. */
  trafficImpact: string;
};

export type RemovalNoticeContext = {
  requestId: string;
  /** "the whole organization", "project …", "API key …" */
  scopeLabel: string;
  fromDay: string;
  toDay: string;
  includeContent: boolean;
  /** What support typed when approving or rejecting. */
  reason?: string | null;
  /** Usage events removed, when completed. */
  eventsRemoved?: number;
  fleetItemsRemoved?: number | null;
  failure?: string | null;
};

function removalNotice(kind: NoticeKind, c: NoticeContext, base: Omit<NoticeDetails, "trafficImpact">, when: string): NoticeContent {
  const r = c.removal!;
  const what = `usage metadata of ${r.scopeLabel} from ${r.fromDay} to ${r.toDay}${r.includeContent ? ", and content kept by the serving fleet" : ""}`;
  const make = (title: string, body: string, trafficImpact: string): NoticeContent => ({
    kind,
    title,
    body,
    details: { ...base, note: r.reason ?? null, trafficImpact },
  });
  const none = "Nothing is removed until support approves the request.";
  switch (kind) {
    case "removal_requested":
      return make(`Data removal requested for ${c.orgName}`, `A request to remove ${what} was made at ${when}. ${none}`, none);
    case "removal_approved":
      return make(
        `Data removal approved for ${c.orgName}`,
        `Support approved the removal of ${what} at ${when}. It runs shortly; you will be told when it is complete.`,
        "Your traffic is not affected; usage pages will show nothing for the removed scope and days.",
      );
    case "removal_rejected":
      return make(
        `Data removal rejected for ${c.orgName}`,
        `Support rejected the request to remove ${what} at ${when}. Nothing was removed.`,
        "Nothing changes: the data stays as it was.",
      );
    case "removal_cancelled":
      return make(
        `Data removal cancelled for ${c.orgName}`,
        `The request to remove ${what} was cancelled at ${when}. Nothing was removed.`,
        "Nothing changes: the data stays as it was.",
      );
    case "removal_running":
      return make(
        `Data removal running for ${c.orgName}`,
        `The removal of ${what} started at ${when}.`,
        "Usage pages for the scope and days change while it runs and show nothing once it completes.",
      );
    case "removal_completed": {
      const n = r.eventsRemoved ?? 0;
      const counted =
        n === 0
          ? "No usage events matched the scope and days, so none were removed."
          : `${n.toLocaleString("en-US")} usage event${n === 1 ? " was" : "s were"} removed, with their share of the hourly and daily totals.`;
      const fleet = r.includeContent ? ` The serving fleet reported ${(r.fleetItemsRemoved ?? 0).toLocaleString("en-US")} content item(s) removed.` : "";
      return make(
        `Data removal completed for ${c.orgName}`,
        `The removal of ${what} completed at ${when} and was verified by reading the store. ${counted}${fleet} A signed certificate is on the Data removal page.`,
        counted,
      );
    }
    case "removal_failed":
      return make(
        `Data removal failed for ${c.orgName}`,
        `The removal of ${what} failed at ${when}: ${r.failure ?? "it could not be verified"}. Support has been told and will retry; what was removed so far stays removed.`,
        "Some of the data in scope may still be stored.",
      );
    default:
      throw new Error(`not a removal notice: ${kind}`);
  }
}

function keptSentence(c: NoticeContext): string {
  return (
    `Request content is kept under your standard retention window of ${c.contentRetentionDays} days ` +
    `(plus up to 30 days in backups) and ${c.trainingUse ? "may be used for model training under your plan" : "is never used for model training"}.`
  );
}

const CONTEST =
  "To contest this decision, reply to this notice through your account contact or write to support, quoting the ticket reference; an administrator can also acknowledge it on the Notices page.";

export function composeNotice(kind: NoticeKind, c: NoticeContext): NoticeContent {
  const base = {
    effectiveAt: c.effectiveAt.toISOString(),
    reasonCategory: null,
    reasonLabel: null,
    note: null,
    ticketRef: c.ticketRef,
    affectedProducts: [] as string[],
    contest: null,
    zdrScope: c.zdrScope ?? null,
  };
  const when = c.effectiveAt.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  if (kind.startsWith("removal_")) return removalNotice(kind, c, base, when);
  switch (kind) {
    case "zdr_restricted": {
      const r = c.restriction!;
      const trafficImpact = `Zero Data Retention is not honoured while the restriction stands. ${keptSentence(c)}`;
      return {
        kind,
        title: `Zero Data Retention restricted for ${c.orgName}`,
        body: `Zero Data Retention access for ${c.orgName} was restricted at ${when} (${REASON_LABELS[r.reason]}). ${trafficImpact}`,
        details: {
          ...base,
          reasonCategory: r.reason,
          reasonLabel: REASON_LABELS[r.reason],
          note: r.note,
          affectedProducts: zdrEligibleProducts(),
          trafficImpact,
          contest: CONTEST,
        },
      };
    }
    case "restriction_lifted": {
      const trafficImpact = c.zdrHonouredAfter
        ? "Zero Data Retention is honoured again for new requests: only request metadata is kept."
        : `Your organization's previous retention settings apply again. ${keptSentence(c)}`;
      return {
        kind,
        title: `Restriction lifted for ${c.orgName}`,
        body: `The restriction on Zero Data Retention for ${c.orgName} was lifted at ${when}. ${trafficImpact}`,
        details: { ...base, affectedProducts: zdrEligibleProducts(), trafficImpact },
      };
    }
    case "zdr_enabled": {
      const scope = c.zdrScope === "per_request" ? "requests that ask for it (enable_logging=false)" : "every API request";
      const trafficImpact = `From ${when} only request metadata (time, input and output length) is kept for ${scope} to eligible products; content may sit in a private cache for at most one hour, then it is purged.`;
      return {
        kind,
        title: `Zero Data Retention is on for ${c.orgName}`,
        body: `Support enabled Zero Data Retention for ${c.orgName}. ${trafficImpact}`,
        details: { ...base, affectedProducts: zdrEligibleProducts(), trafficImpact },
      };
    }
    case "zdr_disabled": {
      if (c.declined) {
        const trafficImpact = `Nothing changes for your traffic. ${keptSentence(c)}`;
        return {
          kind,
          title: `Zero Data Retention request declined for ${c.orgName}`,
          body: `Support declined the request to enable Zero Data Retention for ${c.orgName} at ${when}. ${trafficImpact} You may ask again at any time.`,
          details: { ...base, trafficImpact },
        };
      }
      const trafficImpact = `Zero Data Retention no longer applies to new requests. ${keptSentence(c)}`;
      return {
        kind,
        title: `Zero Data Retention is off for ${c.orgName}`,
        body: `Zero Data Retention for ${c.orgName} was turned off at ${when}. ${trafficImpact}`,
        details: { ...base, affectedProducts: zdrEligibleProducts(), trafficImpact },
      };
    }
    case "project_changed": {
      const p = c.project!;
      const verb = { created: "was created", renamed: "was renamed", archived: "was archived", policy_changed: "has new retention settings" }[p.change];
      return {
        kind,
        title: `Project ${p.name} ${verb}`,
        body: `The project ${p.name} of ${c.orgName} ${verb} at ${when}. ${p.summary}`,
        details: { ...base, trafficImpact: p.trafficImpact },
      };
    }
    case "zdr_requested": {
      const trafficImpact = "Nothing changes until support enables Zero Data Retention; you will receive a confirmation.";
      return {
        kind,
        title: `Zero Data Retention requested for ${c.orgName}`,
        body: `A request to enable Zero Data Retention for ${c.orgName} was received at ${when}. ${trafficImpact}`,
        details: { ...base, trafficImpact },
      };
    }
    default:
      throw new Error(`no notice text for ${kind}`);
  }
}

export type EmailContent = { subject: string; text: string; html: string };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

/** The email of a notice: plain text and simple HTML with the same facts. */
export function composeEmail(notice: NoticeContent, recipientName: string, appUrl: string): EmailContent {
  const d = notice.details;
  const rows: [string, string][] = [["Effective", d.effectiveAt.replace("T", " ").slice(0, 19) + " UTC"]];
  if (d.reasonLabel) rows.push(["Reason", d.reasonLabel]);
  if (d.note) rows.push(["Note from the provider", d.note]);
  if (d.ticketRef) rows.push(["Ticket reference", d.ticketRef]);
  if (d.affectedProducts.length) rows.push(["Affected products", d.affectedProducts.join(", ")]);
  rows.push(["What it means for your traffic", d.trafficImpact]);
  if (d.contest) rows.push(["How to contest", d.contest]);
  const link = `${appUrl}/notices`;
  const text = [
    `Hello ${recipientName},`,
    "",
    notice.body,
    "",
    ...rows.map(([k, v]) => `${k}: ${v}`),
    "",
    `Review this notice: ${link}`,
    "",
    "You receive this email because you are an administrator of this organization in ZDR Console.",
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
<p>Hello ${escapeHtml(recipientName)},</p>
<p>${escapeHtml(notice.body)}</p>
<table cellpadding="4" style="border-collapse:collapse">${rows
    .map(([k, v]) => `<tr><th align="left" valign="top">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("")}</table>
<p><a href="${escapeHtml(link)}">Review this notice in ZDR Console</a></p>
<p style="color:#64748b;font-size:12px">You receive this email because you are an administrator of this organization in ZDR Console.</p>
</body></html>`;
  return { subject: `[ZDR Console] ${notice.title}`, text, html };
}

/** The email to support staff when an organization asks for Zero Data Retention: who, what, by when, and the link to act on it. */
export function composeZdrRequestEmail(
  r: { orgName: string; orgId: string; scopeLabel: string; requestedAt: Date },
  recipientName: string,
  appUrl: string,
): EmailContent {
  const dueBy = businessDeadline(r.requestedAt);
  const link = `${appUrl}/support/orgs/${r.orgId}`;
  const utc = (d: Date) => `${d.toISOString().replace("T", " ").slice(0, 16)} UTC`;
  const rows: [string, string][] = [
    ["Organization", r.orgName],
    ["Scope asked for", r.scopeLabel],
    ["Requested", utc(r.requestedAt)],
    ["Review by", `${utc(dueBy)} (one business day, weekends not counted)`],
  ];
  const body = `${r.orgName} asked for Zero Data Retention. Verify the requester and enable it, or decline it, from the organization's page in the support console.`;
  const text = [
    `Hello ${recipientName},`,
    "",
    body,
    "",
    ...rows.map(([k, v]) => `${k}: ${v}`),
    "",
    `Review the request: ${link}`,
    "",
    "You receive this email because you are support staff in ZDR Console.",
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
<p>Hello ${escapeHtml(recipientName)},</p>
<p>${escapeHtml(body)}</p>
<table cellpadding="4" style="border-collapse:collapse">${rows.map(([k, v]) => `<tr><th align="left" valign="top">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</table>
<p><a href="${escapeHtml(link)}">Review the request in ZDR Console</a></p>
<p style="color:#64748b;font-size:12px">You receive this email because you are support staff in ZDR Console.</p>
</body></html>`;
  return { subject: `[ZDR Console] ZDR requested by ${r.orgName}`, text, html };
}

/**
 * What a retention notice says, in the app and by email. Built only from the
 * retention state and what support staff typed (reason category, note,
 * ticket): there is no path from request content to a notice (invariant 1).
 */
import { PRODUCTS } from "@/lib/usage/products";

import { RESTRICTION_REASON_LABELS as REASON_LABELS, type NoticeKind, type RestrictionReason, type ZdrScope } from "@/lib/vocabulary";
import { businessDeadline } from "@/lib/business-time";
import { env } from "@/lib/env";
import { formatDateTime } from "@/lib/intl";

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
  /** The org's time zone: every date of the notice and its email is said in it. */
  timeZone?: string;
  /** What support typed as the reason of the change (enable, disable, lift), beside the ticket. */
  supportReason?: string | null;
};

export type NoticeContent = { kind: NoticeKind; title: string; body: string; details: NoticeDetails };

/** Products whose content ZDR covers: what a restriction or a disable takes away. */
export function zdrEligibleProducts(): string[] {
  return PRODUCTS.filter((p) => p.dataTypes.some((d) => d.zdrEligible)).map((p) => p.label);
}

export type NoticeContext = {
  orgName: string;
  effectiveAt: Date;
  /** The org's IANA time zone (default UTC). */
  timeZone?: string;
  /** The one sentence of the state after the change (stateWording(policy).meaning, lib/retention/wording.ts): what the notice says it means. */
  meaning?: string;
  /** What support typed as the reason. */
  supportReason?: string | null;
  /** The state before the change, where the wording depends on it (a restriction of an org without ZDR). */
  zdrStatusBefore?: "off" | "requested" | "active";
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
  /** An endpoint the delivery disabled (kind webhook_disabled). */
  webhook?: WebhookNoticeContext;
};

export type WebhookNoticeContext = {
  endpointId: string;
  /** The endpoint's address without its query or fragment (where a receiver may keep a token). */
  address: string;
  consecutiveFailures: number;
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

/** How to contest a restriction: a monitored mailbox and the ticket; acknowledging is not agreeing. */
export function contestText(ticketRef: string | null): string {
  return (
    `To contest this decision, write to ${env().SUPPORT_EMAIL} (or reply to this email)${ticketRef ? `, quoting ticket ${ticketRef}` : ""}. ` +
    "Acknowledging the notice on the Notices page only records that an administrator has read it; it does not accept the decision."
  );
}

function meaningOf(c: NoticeContext): string {
  if (!c.meaning) throw new Error("a retention notice needs the wording of the state after the change");
  return c.meaning;
}

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
    timeZone: c.timeZone ?? "UTC",
    supportReason: c.supportReason ?? null,
  };
  const when = formatDateTime(c.effectiveAt, c.timeZone ?? "UTC");
  if (kind.startsWith("removal_")) return removalNotice(kind, c, base, when);
  switch (kind) {
    case "zdr_restricted": {
      const r = c.restriction!;
      const hadZdr = c.zdrStatusBefore === undefined || c.zdrStatusBefore === "active";
      const body = hadZdr
        ? `Zero Data Retention access for ${c.orgName} was restricted at ${when} (${REASON_LABELS[r.reason]}).`
        : `Access to Zero Data Retention for ${c.orgName} was restricted at ${when} (${REASON_LABELS[r.reason]}). ` +
          `Zero Data Retention was not on for your organization, so nothing changes for your traffic today. ` +
          (c.zdrStatusBefore === "requested"
            ? "Your pending request stays open, but while the restriction stands Zero Data Retention is not honoured even if support enables it."
            : "While the restriction stands your administrators cannot request Zero Data Retention, and it is not honoured even if support enables it.");
      return {
        kind,
        title: `Zero Data Retention restricted for ${c.orgName}`,
        body,
        details: {
          ...base,
          reasonCategory: r.reason,
          reasonLabel: REASON_LABELS[r.reason],
          note: r.note,
          affectedProducts: hadZdr ? zdrEligibleProducts() : [],
          trafficImpact: meaningOf(c),
          contest: contestText(c.ticketRef),
        },
      };
    }
    case "restriction_lifted":
      return {
        kind,
        title: `Restriction lifted for ${c.orgName}`,
        body: `The restriction on Zero Data Retention for ${c.orgName} was lifted at ${when}; your previous setting applies again.`,
        details: { ...base, affectedProducts: zdrEligibleProducts(), trafficImpact: meaningOf(c) },
      };
    case "zdr_enabled":
      return {
        kind,
        title: `Zero Data Retention is on for ${c.orgName}`,
        body: `Support enabled Zero Data Retention for ${c.orgName} at ${when}.`,
        details: { ...base, affectedProducts: zdrEligibleProducts(), trafficImpact: meaningOf(c) },
      };
    case "zdr_disabled":
      if (c.declined) {
        return {
          kind,
          title: `Zero Data Retention request declined for ${c.orgName}`,
          body: `Support declined the request to enable Zero Data Retention for ${c.orgName} at ${when}. Nothing changes for your traffic; you may ask again at any time.`,
          details: { ...base, trafficImpact: meaningOf(c) },
        };
      }
      return {
        kind,
        title: `Zero Data Retention is off for ${c.orgName}`,
        body: `Zero Data Retention for ${c.orgName} was turned off at ${when}; it no longer applies to new requests.`,
        details: { ...base, affectedProducts: zdrEligibleProducts(), trafficImpact: meaningOf(c) },
      };
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
    case "webhook_disabled": {
      const w = c.webhook!;
      return {
        kind,
        title: "A webhook endpoint was disabled",
        body:
          `The webhook endpoint ${w.address} of ${c.orgName} was disabled at ${when}: ${w.consecutiveFailures} deliveries in a row failed after every retry. ` +
          "No further events are sent to it until an administrator enables it again under Settings → Webhooks.",
        details: { ...base, trafficImpact: "Requests are served and retained exactly as before; only the events to this endpoint stop." },
      };
    }
    case "zdr_requested":
      return {
        kind,
        title: `Zero Data Retention requested for ${c.orgName}`,
        body: `A request to enable Zero Data Retention for ${c.orgName} was received at ${when}. You will receive a confirmation when support has answered.`,
        details: { ...base, trafficImpact: meaningOf(c) },
      };
    default:
      throw new Error(`no notice text for ${kind}`);
  }
}

export type EmailContent = { subject: string; text: string; html: string };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

/** Where a notice's email links: the notice itself, on the Notices page of its organization. */
export function noticeLink(appUrl: string, orgId: string, noticeId: string): string {
  return `${appUrl}/notices?org=${encodeURIComponent(orgId)}#notice-${encodeURIComponent(noticeId)}`;
}

/** The rows of facts a notice shows, in the page and the email alike. */
export function noticeRows(d: NoticeDetails): [string, string][] {
  const rows: [string, string][] = [["Effective", formatDateTime(d.effectiveAt, d.timeZone ?? "UTC")]];
  if (d.reasonLabel) rows.push(["Reason", d.reasonLabel]);
  if (d.supportReason && d.supportReason !== d.note) rows.push(["Reason given by support", d.supportReason]);
  if (d.note) rows.push(["Note from the provider", d.note]);
  if (d.ticketRef) rows.push(["Ticket reference", d.ticketRef]);
  if (d.affectedProducts.length) rows.push(["Affected products", d.affectedProducts.join(", ")]);
  rows.push(["What it means for your traffic", d.trafficImpact]);
  if (d.contest) rows.push(["How to contest", d.contest]);
  return rows;
}

/** The email of a notice: plain text and simple HTML with the same facts, linking to the notice itself. */
export function composeEmail(notice: NoticeContent, recipientName: string, appUrl: string, at?: { orgId: string; noticeId: string }): EmailContent {
  const rows = noticeRows(notice.details);
  const link = at ? noticeLink(appUrl, at.orgId, at.noticeId) : `${appUrl}/notices`;
  const support = env().SUPPORT_EMAIL;
  const footer = `You receive this email because you are an administrator of this organization in ZDR Console. Questions: ${support} (replies to this email reach it too).`;
  const text = [`Hello ${recipientName},`, "", notice.body, "", ...rows.map(([k, v]) => `${k}: ${v}`), "", `Review this notice: ${link}`, "", footer].join(
    "\n",
  );
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
<p>Hello ${escapeHtml(recipientName)},</p>
<p>${escapeHtml(notice.body)}</p>
<table cellpadding="4" style="border-collapse:collapse">${rows
    .map(([k, v]) => `<tr><th align="left" valign="top">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("")}</table>
<p><a href="${escapeHtml(link)}">Review this notice in ZDR Console</a></p>
<p style="color:#64748b;font-size:12px">${escapeHtml(footer).replace(escapeHtml(support), `<a href="mailto:${escapeHtml(support)}">${escapeHtml(support)}</a>`)}</p>
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

/** The reference a ZDR request goes by in its receipt, on /retention and in the support console. */
export function zdrRequestReference(requestId: string): string {
  return `ZDR-${requestId.replace(/-/g, "").slice(0, 8).toUpperCase()}`;
}

/**
 * The receipt of a ZDR request, to the admin who asked and the org's other
 * admins: what was asked, its reference, the note the requester typed (their
 * own words, at most 500 characters), when support aims to answer, and how
 * to withdraw it.
 */
export function composeZdrReceiptEmail(
  r: { orgName: string; requestId: string; scopeLabel: string; requestedAt: Date; requesterName: string; note: string | null },
  recipient: { name: string; isRequester: boolean },
  appUrl: string,
): EmailContent {
  const reference = zdrRequestReference(r.requestId);
  const dueBy = businessDeadline(r.requestedAt);
  const link = `${appUrl}/retention`;
  const utc = (d: Date) => `${d.toISOString().replace("T", " ").slice(0, 16)} UTC`;
  const who = recipient.isRequester ? "You" : r.requesterName;
  const body =
    `${who} asked for Zero Data Retention for ${r.orgName}. Nothing changes for your traffic until support verifies the requester and enables it; ` +
    "support aims to answer within one business day.";
  const rows: [string, string][] = [
    ["Reference", reference],
    ["Organization", r.orgName],
    ["Scope asked for", r.scopeLabel],
    ["Requested", `${utc(r.requestedAt)} by ${r.requesterName}`],
    ["Answer expected by", `${utc(dueBy)} (one business day, weekends not counted)`],
    ["Note", r.note ?? "No note was given."],
  ];
  const withdraw = `To withdraw the request while it is pending, open ${link} and choose "Withdraw request". Quote ${reference} when you write to support about it.`;
  const footer = `You receive this email because you are an administrator of ${r.orgName} in ZDR Console.`;
  const text = [`Hello ${recipient.name},`, "", body, "", ...rows.map(([k, v]) => `${k}: ${v}`), "", withdraw, "", footer].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
<p>Hello ${escapeHtml(recipient.name)},</p>
<p>${escapeHtml(body)}</p>
<table cellpadding="4" style="border-collapse:collapse">${rows.map(([k, v]) => `<tr><th align="left" valign="top">${escapeHtml(k)}</th><td style="white-space:pre-wrap">${escapeHtml(v)}</td></tr>`).join("")}</table>
<p>To withdraw the request while it is pending, open <a href="${escapeHtml(link)}">Data retention in ZDR Console</a> and choose “Withdraw request”. Quote ${escapeHtml(reference)} when you write to support about it.</p>
<p style="color:#64748b;font-size:12px">${escapeHtml(footer)}</p>
</body></html>`;
  return { subject: `[ZDR Console] Zero Data Retention requested for ${r.orgName} (${reference})`, text, html };
}

/** To support staff: the customer withdrew a pending request, so there is nothing left to review. */
export function composeZdrWithdrawnEmail(
  r: { orgName: string; orgId: string; requestId: string; withdrawnBy: string; withdrawnAt: Date },
  recipientName: string,
  appUrl: string,
): EmailContent {
  const reference = zdrRequestReference(r.requestId);
  const link = `${appUrl}/support/orgs/${r.orgId}`;
  const utc = (d: Date) => `${d.toISOString().replace("T", " ").slice(0, 16)} UTC`;
  const body = `${r.withdrawnBy} withdrew the request ${reference} for Zero Data Retention of ${r.orgName} at ${utc(r.withdrawnAt)}. There is nothing left to review; Zero Data Retention stays off.`;
  const footer = "You receive this email because you are support staff in ZDR Console.";
  const text = [`Hello ${recipientName},`, "", body, "", `The organization's page: ${link}`, "", footer].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">
<p>Hello ${escapeHtml(recipientName)},</p>
<p>${escapeHtml(body)}</p>
<p><a href="${escapeHtml(link)}">The organization in ZDR Console</a></p>
<p style="color:#64748b;font-size:12px">${escapeHtml(footer)}</p>
</body></html>`;
  return { subject: `[ZDR Console] ZDR request ${reference} withdrawn by ${r.orgName}`, text, html };
}

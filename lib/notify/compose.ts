/**
 * What a retention notice says, in the app and by email. Built only from the
 * retention state and what support staff typed (reason category, note,
 * ticket): there is no path from request content to a notice (invariant 1).
 */
import { PRODUCTS } from "@/lib/usage/products";

import { RESTRICTION_REASON_LABELS as REASON_LABELS, type NoticeKind, type RestrictionReason, type ZdrScope } from "@/lib/vocabulary";

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
};

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
  switch (kind) {
    case "zdr_restricted": {
      const r = c.restriction!;
      const trafficImpact = `Zero Data Retention is not honoured while the restriction stands. ${keptSentence(c)}`;
      return {
        kind,
        title: `Zero Data Retention restricted for ${c.orgName}`,
        body: `Zero Data Retention access for ${c.orgName} was restricted at ${when} (${REASON_LABELS[r.reason]}). ${trafficImpact}`,
        details: { ...base, reasonCategory: r.reason, reasonLabel: REASON_LABELS[r.reason], note: r.note, affectedProducts: zdrEligibleProducts(), trafficImpact, contest: CONTEST },
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
    case "zdr_requested": {
      const trafficImpact = "Nothing changes until support enables Zero Data Retention; you will receive a confirmation.";
      return {
        kind,
        title: `Zero Data Retention requested for ${c.orgName}`,
        body: `A request to enable Zero Data Retention for ${c.orgName} was received at ${when}. ${trafficImpact}`,
        details: { ...base, trafficImpact },
      };
    }
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

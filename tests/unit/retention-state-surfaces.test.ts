/**
 * One wording per retention state: for every state, the sentence of
 * lib/retention/wording.ts is rendered by the /retention page's state card,
 * the emblem, the notice and the notice's email, and each prints it word for
 * word, once. (tests/db/retention-service.test.ts checks that the service
 * builds its notices from the same sentence.)
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { effectivePolicy, emblemState, type Plan, type RetentionStateRow } from "@/lib/retention/policy";
import { availableTransitions } from "@/lib/retention/service";
import { stateWording, USAGE_RECORD_FIELDS, type RetentionStateKey } from "@/lib/retention/wording";
import { composeEmail, composeNotice, escapeHtml, noticeRows, type NoticeKind } from "@/lib/notify/compose";
import { StateCard } from "@/components/retention/state-card";
import { ZdrEmblem } from "@/components/shell/zdr-emblem";
import { retentionState } from "../helpers/retention-state";

type Case = {
  name: string;
  plan: Plan;
  state: Partial<RetentionStateRow>;
  key: RetentionStateKey;
  notice: NoticeKind;
  before?: "off" | "requested" | "active";
};

const SINCE = new Date("2026-11-02T09:00:00Z");
const CASES: Case[] = [
  { name: "active, every request, 1-hour cache", plan: "enterprise", state: { zdrStatus: "active", zdrSince: SINCE }, key: "active", notice: "zdr_enabled" },
  {
    name: "active, per request, no cache",
    plan: "enterprise",
    state: { zdrStatus: "active", zdrScope: "per_request", cacheWindowSeconds: 0, zdrSince: SINCE },
    key: "active",
    notice: "zdr_enabled",
  },
  {
    name: "restricted while active",
    plan: "enterprise",
    state: { zdrStatus: "active", restriction: "restricted", restrictionReason: "automated_flag", restrictionNote: "flagged", restrictedSince: SINCE },
    key: "restricted",
    notice: "zdr_restricted",
    before: "active",
  },
  {
    name: "restricted without ZDR",
    plan: "enterprise",
    state: { restriction: "restricted", restrictionReason: "provider_discretion", restrictionNote: "review", restrictedSince: SINCE },
    key: "restricted",
    notice: "zdr_restricted",
    before: "off",
  },
  { name: "requested", plan: "enterprise", state: { zdrStatus: "requested" }, key: "requested", notice: "zdr_requested" },
  { name: "off (enterprise)", plan: "enterprise", state: {}, key: "off", notice: "zdr_disabled" },
  { name: "free plan", plan: "free", state: {}, key: "not_entitled", notice: "restriction_lifted" },
  { name: "pro plan, 7 days", plan: "pro", state: { contentRetentionDays: 7 }, key: "not_entitled", notice: "restriction_lifted" },
];

/** The text a reader sees: tags dropped, entities decoded, spaces collapsed. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

const count = (hay: string, needle: string) => hay.split(needle).length - 1;

describe("one wording per retention state, in the page, the emblem, the notice and the email", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const policy = effectivePolicy(c.plan, retentionState(c.state));
      const w = stateWording(policy);
      expect(w.key).toBe(c.key);

      // The page: the state card of /retention.
      const page = textOf(
        renderToStaticMarkup(
          createElement(StateCard, {
            policy,
            timeZone: "Europe/Berlin",
            requestedBy: "Nadia Okafor",
            pendingRequest: null,
            isAdmin: true,
            salesEmail: "sales@x",
            supportEmail: "support@x",
          }),
        ),
      );
      expect(count(page, w.meaning), "page").toBe(1);
      expect(page).toContain(w.label);

      // The emblem: shown only while active or restricted, and then with the same sentence.
      const emblem = emblemState(policy);
      if (c.key === "active" || c.key === "restricted") {
        expect(emblem).toBe(c.key);
        const html = renderToStaticMarkup(
          createElement(ZdrEmblem, {
            state: emblem!,
            timeZone: "Europe/Berlin",
            since: SINCE.toISOString(),
            requestedBy: null,
            scope: policy.zdr.scope,
            cacheWindowSeconds: policy.cacheWindowSeconds,
            contentRetentionDays: policy.contentRetentionDays,
            restrictionReason: policy.restriction?.reason ?? null,
            wording: w,
          }),
        );
        expect(count(textOf(html), w.meaning), "emblem").toBe(1);
        expect(textOf(html)).toContain(w.short);
      } else {
        expect(emblem, "no emblem when ZDR is neither active nor restricted").toBeNull();
      }

      // The notice of the change into this state, and its email.
      const notice = composeNotice(c.notice, {
        orgName: "Contoso Bank",
        effectiveAt: SINCE,
        timeZone: "Europe/Berlin",
        contentRetentionDays: policy.contentRetentionDays,
        trainingUse: policy.trainingUse,
        ticketRef: "SUP-7",
        zdrScope: policy.zdr.scope,
        restriction: policy.restriction ? { reason: policy.restriction.reason, note: policy.restriction.note ?? "" } : undefined,
        meaning: w.meaning,
        zdrStatusBefore: c.before,
        supportReason: "verified requester",
      });
      const rows = noticeRows(notice.details);
      const shown = [notice.body, ...rows.map(([k, v]) => `${k}: ${v}`)].join("\n");
      expect(count(shown, w.meaning), "notice: the sentence once, not in the body again").toBe(1);
      expect(rows.find(([k]) => k === "What it means for your traffic")?.[1]).toBe(w.meaning);

      const email = composeEmail(notice, "Ada", "https://console.example", { orgId: "org-1", noticeId: "n-1" });
      expect(count(email.text, w.meaning), "email text").toBe(1);
      expect(count(email.html, escapeHtml(w.meaning)), "email html").toBe(1);
      expect(email.text).toContain("https://console.example/notices?org=org-1#notice-n-1");
      // One date format and the org's zone, in the email too.
      expect(email.text).toContain("Nov 2, 2026, 10:00 AM GMT+1");
      expect(email.text).toContain("Reason given by support: verified requester");
    });
  }

  it("says durations in human units, never a cache it does not have, and the same field count as /retention's table", () => {
    const active = stateWording(effectivePolicy("enterprise", retentionState({ zdrStatus: "active" }))).meaning;
    expect(active).toContain("at most 1 hour");
    expect(active).not.toMatch(/3600|seconds/);
    expect(active).toContain(`the ${USAGE_RECORD_FIELDS.length} fields of a usage record`);
    for (const f of USAGE_RECORD_FIELDS) expect(active).toContain(f.label);
    const noCache = stateWording(effectivePolicy("enterprise", retentionState({ zdrStatus: "active", cacheWindowSeconds: 0 }))).meaning;
    expect(noCache).toContain("no cache holds them either");
    expect(noCache).not.toMatch(/private cache|purged/);
    const restricted = stateWording(
      effectivePolicy("enterprise", retentionState({ zdrStatus: "active", restriction: "restricted", restrictionReason: "automated_flag" })),
    );
    expect(restricted.meaning).toContain("request content is kept for 30 days");
    expect(restricted.short).toBe("Content is kept");
    expect(`${restricted.meaning} ${restricted.short}`).not.toMatch(/may be retained/);
    expect(stateWording(effectivePolicy("free", retentionState({}))).meaning).toContain("may be used for model training");
  });

  it("a restriction notice without ZDR says what support can still do: enable it, not honoured until lifted", () => {
    for (const before of ["off", "requested"] as const) {
      const state = retentionState({ zdrStatus: before, restriction: "restricted", restrictionReason: "high_risk_use_case" });
      // The console still offers Enable on a restricted org (the restriction is orthogonal, DESIGN)...
      expect(availableTransitions("enterprise", state)).toContain("enable");
      // ...and stays restricted after it: the effective policy is not ZDR.
      expect(effectivePolicy("enterprise", { ...state, zdrStatus: "active" }).zdr.honoured).toBe(false);
      const { body } = composeNotice("zdr_restricted", {
        orgName: "Contoso Bank",
        effectiveAt: SINCE,
        timeZone: "UTC",
        contentRetentionDays: 30,
        trainingUse: false,
        restriction: { reason: "high_risk_use_case", note: "review" },
        ticketRef: null,
        meaning: "m",
        zdrStatusBefore: before,
      });
      // So the notice must not promise the owner that it cannot be enabled.
      expect(body).not.toMatch(/cannot be (requested or )?enabled/);
      expect(body).toContain("not honoured even if support enables it");
    }
  });
});

import { describe, expect, it } from "vitest";
import { auditGroup, auditSentence, peopleOf, type Person, type SentenceEntry } from "@/lib/audit/sentence";

const NADIA = "11111111-1111-4111-8111-111111111111";
const MARCUS = "22222222-2222-4222-8222-222222222222";
const people = new Map<string, Person>([
  [NADIA, { name: "Nadia Okafor", email: "nadia@northwind.example" }],
  [MARCUS, { name: "Marcus Lee", email: "marcus@northwind.example" }],
]);
const by = (action: string, before: unknown, after: unknown, actor: Partial<SentenceEntry> = {}): SentenceEntry => ({
  action,
  actorType: "user",
  actorId: NADIA,
  actorLabel: "nadia@northwind.example",
  before,
  after,
  ...actor,
});

describe("audit entries as sentences", () => {
  it("names the actor and the member acted on, by name, and the role by its label", () => {
    expect(auditSentence(by("member.invited", null, { email: "jane.roe@northwind.example", role: "admin" }), people)).toBe(
      "Nadia Okafor invited jane.roe@northwind.example as Administrator",
    );
    expect(auditSentence(by("member.role_changed", { userId: MARCUS, role: "member" }, { userId: MARCUS, role: "admin" }), people)).toBe(
      "Nadia Okafor changed the role of Marcus Lee (marcus@northwind.example) from Member to Administrator",
    );
    expect(auditSentence(by("member.removed", { userId: MARCUS, role: "member" }, null), people)).toBe(
      "Nadia Okafor removed Marcus Lee (marcus@northwind.example) (Member)",
    );
    expect(auditSentence(by("member.invitation_revoked", { email: "jane.roe@northwind.example", role: "member" }, null), people)).toBe(
      "Nadia Okafor revoked the invitation of jane.roe@northwind.example as Member; its link no longer works",
    );
  });

  it("retention changes say what changed; support, the system and unknown people still read as someone", () => {
    expect(
      auditSentence(by("zdr.enabled", { zdrStatus: "requested" }, { zdrStatus: "active", zdrScope: "all_requests" }, { actorType: "support" }), people),
    ).toBe("Nadia Okafor enabled Zero Data Retention for all requests");
    expect(
      auditSentence(by("zdr.restricted", null, { restrictionReason: "automated_flag" }, { actorType: "service", actorId: null, actorLabel: null }), people),
    ).toMatch(/^A service token restricted Zero Data Retention \(/);
    expect(auditSentence(by("member.removed", { userId: "33333333-3333-4333-8333-333333333333", role: "admin" }, null), people)).toBe(
      "Nadia Okafor removed a former member (Administrator)",
    );
    expect(auditSentence(by("something.new", null, null, { actorId: null, actorLabel: null, actorType: "system" }), people)).toBe("The system · something.new");
  });

  it("keeps membership events apart from retention changes", () => {
    expect(auditGroup("member.invited")).toBe("membership");
    expect(auditGroup("zdr.enabled")).toBe("retention");
    expect(auditGroup("project.policy_changed")).toBe("retention");
    expect(auditGroup("usage.retention_changed")).toBe("retention");
    expect(auditGroup("webhook.created")).toBe("other");
    expect(auditGroup("moderation.flag_dismissed")).toBe("other");
  });

  it("collects the user ids to resolve, and nothing that is not an id", () => {
    const ids = peopleOf([
      by("member.role_changed", { userId: MARCUS }, { userId: MARCUS }),
      by("zdr.enabled", null, null, { actorType: "system", actorId: "not-a-user" }),
      by("member.invited", null, { userId: "x" }),
    ]);
    expect(ids.sort()).toEqual([NADIA, MARCUS].sort());
  });
});

import { describe, expect, it } from "vitest";
import { csvField } from "@/lib/usage/csv";

describe("CSV fields", () => {
  it("defuses values a spreadsheet would run as a formula", () => {
    for (const v of ['=HYPERLINK("http://x")', "+1", "-1+2", "@SUM(A1)"]) expect(csvField(v).replace(/^"/, "").startsWith("'")).toBe(true);
  });

  it("quotes commas, quotes and line breaks, and leaves numbers and plain keys alone", () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("key_nw_portal")).toBe("key_nw_portal");
    expect(csvField(0.25)).toBe("0.25");
    expect(csvField(null)).toBe("");
  });
});

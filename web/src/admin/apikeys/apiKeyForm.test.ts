import { describe, expect, it } from "vitest";
import type { ApiKeyRead } from "../../api/apiKeys";
import { apiKeySlotOf, createRequest, updateRequest, valuesOf } from "./apiKeyForm";
import { requestsPerDay } from "./usageDays";

const KEY: ApiKeyRead = {
  id: "k",
  name: "Acme app",
  prefix: "csk_abcdefgh",
  ratePerMinute: 60,
  monthlyQuota: null,
  allowedOrigins: ["https://a.example", "https://b.example"],
  createdAt: "2026-03-01T00:00:00Z",
  revokedAt: null,
  lastUsedAt: null,
  usageThisMonth: { requests: 0, errors: 0 },
};

describe("the API key forms", () => {
  it("put every origin's error in the origins slot, and unknown fields in the form's", () => {
    expect(apiKeySlotOf("allowedOrigins[3]")).toBe("allowedOrigins");
    expect(apiKeySlotOf("body.ratePerMinute")).toBe("ratePerMinute");
    expect(apiKeySlotOf("colour")).toBe("form");
  });

  it("send empty limits as null and origins one a line, blank lines dropped", () => {
    const values = { name: " Acme ", ratePerMinute: "", monthlyQuota: "5000", origins: " https://a.example \n\n" };
    expect(createRequest(values)).toEqual({ name: "Acme", ratePerMinute: null, monthlyQuota: 5000, allowedOrigins: ["https://a.example"] });
  });

  it("send only what an edit changed, null to remove a limit", () => {
    expect(updateRequest(KEY, valuesOf(KEY))).toEqual({});
    expect(updateRequest(KEY, { ...valuesOf(KEY), ratePerMinute: "", origins: "https://b.example" })).toEqual({
      ratePerMinute: null,
      allowedOrigins: ["https://b.example"],
    });
  });
});

describe("requestsPerDay", () => {
  it("adds the model versions of a day and fills quiet days with 0, oldest first", () => {
    const days = [
      { day: "2026-03-10", modelVersion: 2, requests: 5, errors: 0, p50Ms: 1 },
      { day: "2026-03-10", modelVersion: null, requests: 1, errors: 1, p50Ms: 1 },
      { day: "2026-03-08", modelVersion: 1, requests: 2, errors: 0, p50Ms: 1 },
    ];
    const columns = requestsPerDay(days, 4, new Date("2026-03-10T23:59:00Z"));
    expect(columns.map((c) => [c.description, c.value])).toEqual([
      ["2026-03-07", 0],
      ["2026-03-08", 2],
      ["2026-03-09", 0],
      ["2026-03-10", 6],
    ]);
    expect(columns[3].label).toBe("10/3");
  });
});

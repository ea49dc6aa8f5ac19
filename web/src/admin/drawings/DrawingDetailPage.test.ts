import { describe, expect, it } from "vitest";
import type { DrawingDetail } from "../../api/admin";
import { consensusSummary, labelHistoryLines, modelVerdict, trustSummary, voteSummary } from "./DrawingDetailPage";

const drawing = (model: Partial<DrawingDetail>) => ({ ...model }) as DrawingDetail;

describe("modelVerdict", () => {
  it("gives the agreement, the model's version and what it saw", () => {
    expect(modelVerdict(drawing({ modelAgreement: 0.0123, modelShape: "circle", modelVersion: 3 }))).toBe(
      "0.012 (model v3 saw circle)",
    );
  });

  it("says when the model did not know the shape, or no model judged it", () => {
    expect(modelVerdict(drawing({ modelAgreement: null, modelShape: "star", modelVersion: 1 }))).toBe(
      "shape unknown to the model (model v1 saw star)",
    );
    expect(modelVerdict(drawing({ modelAgreement: null, modelShape: null, modelVersion: null }))).toBe("No model judged it");
  });
});

describe("voteSummary", () => {
  it("counts each answer, and says when nobody has answered", () => {
    expect(voteSummary({ yes: 2, no: 1, unsure: 1 })).toBe("2 yes · 1 no · 1 not sure");
    expect(voteSummary({ yes: 0, no: 0, unsure: 0 })).toBe("No votes yet");
  });
});

describe("the crowd's view of a drawing", () => {
  it("gives the consensus and the author's trust as percentages, or says they are not known", () => {
    expect(consensusSummary(0.724)).toBe("72%");
    expect(consensusSummary(null)).toBe("Not enough votes");
    expect(consensusSummary(undefined)).toBe("Not enough votes");
    expect(trustSummary(0.4)).toBe("40%");
    expect(trustSummary(null)).toBe("Not known yet");
  });

  it("writes each label change as a line", () => {
    expect(
      labelHistoryLines([
        { fromShape: "circle", toShape: "star", changedAt: "2026-01-01T00:00:00Z", changedBy: "ada@example.com" },
        { fromShape: "star", toShape: "square", changedAt: "2026-01-02T00:00:00Z", changedBy: null },
      ]),
    ).toEqual(["was circle → star", "was star → square"]);
    expect(labelHistoryLines(undefined)).toEqual([]);
  });
});

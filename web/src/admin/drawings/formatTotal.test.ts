import { describe, expect, it } from "vitest";
import { formatApproximate, formatPageCount, formatTotal, roundToTwoFigures } from "./formatTotal";

describe("formatTotal", () => {
  it("writes an exact total as a count", () => {
    expect(formatTotal(0, false)).toBe("0 drawings");
    expect(formatTotal(1, false)).toBe("1 drawing");
    expect(formatTotal(30, false)).toBe("30 drawings");
    expect(formatTotal(1234, false)).toBe((1234).toLocaleString() + " drawings");
    expect(formatTotal(1234567, false)).toBe((1234567).toLocaleString() + " drawings");
  });

  it("writes an estimate to two significant figures, in words from a million", () => {
    expect(formatTotal(1234567, true)).toBe("about 1.2 million drawings");
    expect(formatTotal(12_345, true)).toBe("about 12,000 drawings");
    expect(formatTotal(10_001, true)).toBe("about 10,000 drawings");
    expect(formatTotal(339_999, true)).toBe("about 340,000 drawings");
    expect(formatTotal(12_499_999, true)).toBe("about 12 million drawings");
    expect(formatTotal(125_000_000, true)).toBe("about 130 million drawings");
    expect(formatTotal(1_250_000_000, true)).toBe("about 1.3 billion drawings");
  });

  it("says a million once the rounding reaches one, and not before", () => {
    expect(formatApproximate(994_999)).toBe("about 990,000");
    expect(formatApproximate(995_000)).toBe("about 1 million");
    expect(formatApproximate(999_999)).toBe("about 1 million");
    expect(formatApproximate(1_000_000)).toBe("about 1 million");
    expect(formatApproximate(1_049_999)).toBe("about 1 million");
    expect(formatApproximate(1_050_000)).toBe("about 1.1 million");
    expect(formatApproximate(9_950_000)).toBe("about 10 million");
  });

  it("rounds small estimates too", () => {
    expect(formatTotal(0, true)).toBe("about 0 drawings");
    expect(formatTotal(1, true)).toBe("about 1 drawing");
    expect(formatTotal(7, true)).toBe("about 7 drawings");
    expect(formatTotal(1234, true)).toBe("about 1,200 drawings");
    expect(roundToTwoFigures(9_999)).toBe(10_000);
  });
});

describe("formatPageCount", () => {
  it("counts the pages of an exact total", () => {
    expect(formatPageCount(0, false, 24, 1)).toBe("1");
    expect(formatPageCount(24, false, 24, 1)).toBe("1");
    expect(formatPageCount(25, false, 24, 1)).toBe("2");
    expect(formatPageCount(1_234_567, false, 24, 1)).toBe("51441");
  });

  it("estimates the pages of an estimate, never fewer than the page shown", () => {
    expect(formatPageCount(1_234_567, true, 24, 1)).toBe("about 51,000");
    expect(formatPageCount(240_000, true, 24, 12_000)).toBe("about 12,000");
  });
});

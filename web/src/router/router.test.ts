import { describe, expect, it } from "vitest";
import { matchParams, matchPath } from "./router";

describe("matchPath", () => {
  it("matches a plain pattern exactly, a trailing slash aside", () => {
    expect(matchPath("/", "/")).toBe(true);
    expect(matchPath("/implementor", "/implementor/")).toBe(true);
    expect(matchPath("/implementor", "/implementor/more")).toBe(false);
    expect(matchPath("/", "/implementor")).toBe(false);
  });

  it("matches a `/*` pattern's base and everything under it", () => {
    expect(matchPath("/admin/*", "/admin")).toBe(true);
    expect(matchPath("/admin/*", "/admin/drawings/42")).toBe(true);
    expect(matchPath("/admin/*", "/administrator")).toBe(false);
  });

  it("matches a `:name` segment to exactly one non-empty segment", () => {
    expect(matchPath("/together/:roomId", "/together/k3j9")).toBe(true);
    expect(matchPath("/together/:roomId", "/together/k3j9/")).toBe(true);
    expect(matchPath("/together/:roomId", "/together")).toBe(false);
    expect(matchPath("/together/:roomId", "/together/")).toBe(false);
    expect(matchPath("/together/:roomId", "/together/k3j9/extra")).toBe(false);
    expect(matchPath("/together/:roomId", "/apart/k3j9")).toBe(false);
  });
});

describe("matchParams", () => {
  it("names each `:name` segment's value, decoded", () => {
    expect(matchParams("/together/:roomId", "/together/k3j9")).toEqual({ roomId: "k3j9" });
    expect(matchParams("/together/:roomId", "/together/a%20b")).toEqual({ roomId: "a b" });
    expect(matchParams("/implementor", "/implementor")).toEqual({});
  });

  it("answers null for no match and for a malformed escape", () => {
    expect(matchParams("/together/:roomId", "/elsewhere")).toBeNull();
    expect(matchParams("/together/:roomId", "/together/%E0%A4%A")).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { listNames, peopleHere, presentParticipants } from "./presence";

const guest = (n: number, color = "#000000") => ({ participant: { id: `p${n}`, name: `Guest ${n}`, color } });

describe("presentParticipants", () => {
  it("counts a participant once however many browsers they have open, in name order", () => {
    const states = new Map<number, unknown>([
      [11, guest(10)],
      [12, guest(2)],
      [13, guest(2)],
      [14, {}],
      [15, { participant: { id: "p9", name: 9 } }],
    ]);
    expect(presentParticipants(states).map((person) => person.name)).toEqual(["Guest 2", "Guest 10"]);
  });
});

describe("peopleHere", () => {
  it("says one person in the singular", () => {
    expect(peopleHere(1)).toBe("1 person here");
    expect(peopleHere(3)).toBe("3 people here");
  });
});

describe("listNames", () => {
  it("joins names as a sentence does", () => {
    expect(listNames(["Guest 2"])).toBe("Guest 2");
    expect(listNames(["Guest 2", "Guest 3"])).toBe("Guest 2 and Guest 3");
    expect(listNames(["Guest 2", "Guest 3", "Guest 4"])).toBe("Guest 2, Guest 3 and Guest 4");
  });
});

import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { DrawingToolbar } from "./DrawingToolbar";

describe("DrawingToolbar", () => {
  it("offers Undo and Clear, with the page's action beside them", () => {
    render(
      <DrawingToolbar onUndo={() => {}} onClear={() => {}} canEdit>
        <button type="button">Submit</button>
      </DrawingToolbar>,
    );
    const tools = screen.getByRole("group", { name: "Drawing tools" });
    expect([...tools.querySelectorAll("button")].map((button) => button.textContent)).toEqual(["Undo", "Clear", "Submit"]);
    expect(screen.getByRole("button", { name: "Clear" })).toHaveAttribute("aria-keyshortcuts", "Escape");
  });

  it("has no Clear button where the page offers none", () => {
    render(<DrawingToolbar onUndo={() => {}} canEdit={false} />);
    expect(screen.queryByRole("button", { name: "Clear" })).toBeNull();
    expect(screen.getByRole("button", { name: "Undo" })).toBeDisabled();
  });
});

import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { TERMS } from "./consent.fixture";
import { TermsPanel } from "./TermsPanel";

const noop = () => undefined;

describe("TermsPanel", () => {
  it("shows each paragraph of the terms and links the licence where the text names it", () => {
    render(<TermsPanel terms={TERMS} loading={false} agreeing={false} failure={null} onAgree={noop} onReload={noop} />);
    const panel = screen.getByRole("region", { name: "Before you draw: the terms" });
    const link = screen.getByRole("link", { name: "CC BY 4.0" });
    expect(link).toHaveAttribute("href", "https://creativecommons.org/licenses/by/4.0/");
    expect(link.closest("p")).toHaveTextContent("Your drawings are published under CC BY 4.0: anyone may use them with credit.");
    expect(panel.querySelectorAll("p")).toHaveLength(3);
  });

  it("names the licence in a line of its own when the text does not", () => {
    render(
      <TermsPanel terms={{ ...TERMS, text: "No personal data." }} loading={false} agreeing={false} failure={null} onAgree={noop} onReload={noop} />,
    );
    expect(screen.getByRole("link", { name: "CC BY 4.0" }).closest("p")).toHaveTextContent("Your drawings are published under CC BY 4.0.");
  });

  it("agrees from the keyboard, and not while the terms are loading", async () => {
    const onAgree = vi.fn();
    const { rerender } = render(<TermsPanel terms={TERMS} loading agreeing={false} failure={null} onAgree={onAgree} onReload={noop} />);
    expect(screen.getByRole("button", { name: "I agree" })).toBeDisabled();

    rerender(<TermsPanel terms={TERMS} loading={false} agreeing={false} failure={null} onAgree={onAgree} onReload={noop} />);
    await userEvent.tab(); // the licence link
    await userEvent.tab();
    expect(screen.getByRole("button", { name: "I agree" })).toHaveFocus();
    await userEvent.keyboard("{Enter}");
    expect(onAgree).toHaveBeenCalledOnce();
  });
});

import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { ErrorDisplay, formatWait } from "./ErrorDisplay";

const unavailable = () =>
  new ApiError({ status: 503, code: "SERVICE_UNAVAILABLE", message: "The blob store is down", retryAfter: 5 });
const invalid = () =>
  new ApiError({ status: 400, code: "VALIDATION_ERROR", message: "strokeData.strokes: at least 1 stroke" });

describe("ErrorDisplay", () => {
  it("shows the message in a polite alert", () => {
    render(<ErrorDisplay error={invalid()} />);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("strokeData.strokes: at least 1 stroke");
    expect(alert).toHaveAttribute("aria-live", "polite");
  });

  it("offers Retry for a retryable error and calls back when pressed", async () => {
    const onRetry = vi.fn();
    render(<ErrorDisplay error={unavailable()} onRetry={onRetry} />);
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(onRetry).toHaveBeenCalledOnce();
    expect(screen.getByRole("alert")).toHaveTextContent("Try again in 5 s.");
  });

  it("says a long wait in minutes, or hours", () => {
    const limited = new ApiError({ status: 429, code: "RATE_LIMITED", message: "Too many drawings", retryAfter: 896 });
    render(<ErrorDisplay error={limited} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Try again in 15 minutes.");
    expect([formatWait(90), formatWait(91), formatWait(5400), formatWait(5401), formatWait(0.2)]).toEqual([
      "90 s",
      "2 minutes",
      "90 minutes",
      "2 hours",
      "1 s",
    ]);
  });

  it("offers no Retry for an error that would fail again", () => {
    render(<ErrorDisplay error={invalid()} onRetry={vi.fn()} />);
    expect(screen.queryByRole("button", { name: "Retry" })).not.toBeInTheDocument();
  });

  it("renders nothing without an error", () => {
    const { container } = render(<ErrorDisplay error={null} onRetry={vi.fn()} />);
    expect(container).toBeEmptyDOMElement();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});

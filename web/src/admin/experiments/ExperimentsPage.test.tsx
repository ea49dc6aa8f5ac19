import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { mockFetch } from "../test/mockFetch";
import { ExperimentsPage } from "./ExperimentsPage";
import { experiment, model } from "./fixtures";

const MODELS = [model(3, false, 0.95), model(2, false, 0.93), model(1, true, 0.9)];

afterEach(() => window.history.replaceState(null, "", "/"));

describe("ExperimentsPage", () => {
  it("lists the experiments, newest first, with their verdicts", async () => {
    const ended = experiment({ id: "e0", name: "first try", status: "promoted", endedAt: "2027-03-02T00:00:00Z" });
    mockFetch({
      "GET /api/admin/experiments": { status: 200, body: [experiment(), ended] },
      "GET /api/admin/models": { status: 200, body: MODELS },
    });
    render(<ExperimentsPage />);

    const table = await screen.findByRole("table", { name: "Experiments, newest first" });
    const [, running, promoted] = within(table).getAllByRole("row");
    expect(within(running).getByRole("link", { name: "v2 against v1" })).toHaveAttribute("href", "/admin/experiments/e1");
    expect(running).toHaveTextContent("Running");
    expect(running).toHaveTextContent("Keep running: 312 of 1,700 planned labels per arm");
    expect(promoted).toHaveTextContent("Promoted");
    expect(screen.getByText(/is running; stop it or promote its treatment/)).toBeInTheDocument();
  });

  it("starts an experiment with the model a row named as treatment, then opens it", async () => {
    window.history.replaceState(null, "", "/admin/experiments?treatment=m2");
    const { calls } = mockFetch({
      "GET /api/admin/experiments": { status: 200, body: [] },
      "GET /api/admin/models": { status: 200, body: MODELS },
      "POST /api/admin/experiments": { status: 201, body: experiment({ id: "e7" }) },
    });
    render(<ExperimentsPage />);

    const form = await screen.findByRole("form", { name: "New experiment" });
    expect(within(form).getByText("Control: v1 (90.0%), the active model.")).toBeInTheDocument();
    const treatment = within(form).getByRole("combobox", { name: "Treatment" });
    expect(treatment).toHaveValue("m2");
    expect(within(treatment).getAllByRole("option").map((option) => option.textContent)).toEqual(["Choose a model…", "v3 · 95.0%", "v2 · 93.0%"]);
    expect(within(form).getByRole("spinbutton", { name: "Treatment's share of traffic (%)" })).toHaveValue(50);
    expect(within(form).getByRole("spinbutton", { name: "Minimum effect (points)" })).toHaveValue(3);
    expect(screen.getByText("No experiment has been started yet.")).toBeInTheDocument();

    await userEvent.type(within(form).getByRole("textbox", { name: "Name" }), "v2 against v1");
    const share = within(form).getByRole("spinbutton", { name: "Treatment's share of traffic (%)" });
    await userEvent.clear(share);
    await userEvent.type(share, "20");
    await userEvent.click(within(form).getByRole("button", { name: "Start experiment" }));

    await waitFor(() => expect(window.location.pathname).toBe("/admin/experiments/e7"));
    const started = calls.find((call) => call.method === "POST");
    expect(started?.body).toEqual({ name: "v2 against v1", treatmentModelId: "m2", share: 0.2, minimumEffect: 0.03 });
  });

  it("shows the form's own checks and the server's field errors beside the fields", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/experiments": { status: 200, body: [] },
      "GET /api/admin/models": { status: 200, body: MODELS },
      "POST /api/admin/experiments": {
        status: 400,
        body: {
          error: "VALIDATION_ERROR",
          message: "The request is not valid.",
          details: [{ field: "treatmentModelId", message: "That model is the active one: it is the control." }],
          requestId: "r1",
        },
      },
    });
    render(<ExperimentsPage />);
    const form = await screen.findByRole("form", { name: "New experiment" });
    const share = within(form).getByRole("spinbutton", { name: "Treatment's share of traffic (%)" });
    await userEvent.clear(share);
    await userEvent.type(share, "100");
    await userEvent.click(within(form).getByRole("button", { name: "Start experiment" }));

    const name = within(form).getByRole("textbox", { name: "Name" });
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveAccessibleDescription("Give the experiment a name.");
    expect(name).toHaveFocus();
    expect(share).toHaveAccessibleDescription("The share must be a percentage from 1 to 99.");
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    await userEvent.type(name, "test");
    await userEvent.clear(share);
    await userEvent.type(share, "10");
    await userEvent.selectOptions(within(form).getByRole("combobox", { name: "Treatment" }), "m3");
    await userEvent.click(within(form).getByRole("button", { name: "Start experiment" }));

    const treatment = within(form).getByRole("combobox", { name: "Treatment" });
    await waitFor(() => expect(treatment).toHaveAttribute("aria-invalid", "true"));
    expect(treatment).toHaveAccessibleDescription(/That model is the active one: it is the control\./);
    expect(treatment).toHaveFocus();
    expect(name).not.toHaveAttribute("aria-invalid");
  });

  it("says so when an experiment is already running", async () => {
    mockFetch({
      "GET /api/admin/experiments": { status: 200, body: [] },
      "GET /api/admin/models": { status: 200, body: MODELS },
      "POST /api/admin/experiments": {
        status: 409,
        body: { error: "EXPERIMENT_RUNNING", message: "An experiment is running already: stop it first.", requestId: "r2" },
      },
    });
    render(<ExperimentsPage />);
    const form = await screen.findByRole("form", { name: "New experiment" });
    await userEvent.type(within(form).getByRole("textbox", { name: "Name" }), "again");
    await userEvent.selectOptions(within(form).getByRole("combobox", { name: "Treatment" }), "m3");
    await userEvent.click(within(form).getByRole("button", { name: "Start experiment" }));

    const alert = await within(form).findByRole("alert");
    expect(alert).toHaveTextContent("The experiment was not started.");
    expect(alert).toHaveTextContent("An experiment is running already: stop it first.");
    expect(window.location.pathname).toBe("/");
  });
});

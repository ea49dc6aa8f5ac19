import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockFetch } from "../test/mockFetch";
import { ExperimentPage } from "./ExperimentPage";
import { experiment } from "./fixtures";

describe("ExperimentPage", () => {
  it("shows the arms side by side, their intervals, the difference and the verdict in words", async () => {
    mockFetch({ "GET /api/admin/experiments/e1": { status: 200, body: experiment() } });
    render(<ExperimentPage id="e1" />);

    expect(await screen.findByRole("heading", { level: 1, name: "v2 against v1 Running" })).toBeInTheDocument();
    expect(screen.getByText(/v2 \(treatment\) against v1 \(control\) · treatment gets 50% of the traffic/)).toBeInTheDocument();
    const arms = screen.getByRole("table", { name: "Arms" });
    expect(within(arms).getAllByRole("columnheader").map((cell) => cell.textContent)).toEqual(["Measure", "Control", "Treatment"]);
    const cells = (measure: string) => within(within(arms).getByRole("row", { name: new RegExp(`^${measure}`) })).getAllByRole("cell").map((cell) => cell.textContent);
    expect(cells("Model")).toEqual(["v1", "v2"]);
    expect(within(arms).getByRole("link", { name: "v2" })).toHaveAttribute("href", "/admin/models?model=m2");
    expect(cells("Requests")).toEqual(["640", "655"]);
    expect(cells("Labelled")).toEqual(["330", "312"]);
    expect(cells("Correct")).toEqual(["297", "290"]);
    expect(cells("Accuracy")).toEqual(["90.0%", "93.0%"]);
    expect(cells("95% interval")).toEqual(["86.4% to 92.8%", "89.7% to 95.3%"]);
    expect(cells("Latency p95")).toEqual(["30 ms", "41 ms"]);

    expect(screen.getByRole("img", { name: /^Accuracy with its 95% interval/ })).toHaveAccessibleName(
      "Accuracy with its 95% interval: Control v1: 90.0% (86.4% to 92.8%); Treatment v2: 93.0% (89.7% to 95.3%)",
    );
    expect(screen.getByText("Keep running: 312 of 1,700 planned labels per arm")).toBeInTheDocument();
    expect(screen.getByText("Treatment − control: +3.0 points, 95% interval −1.2 points to +7.1 points, p = 0.16")).toBeInTheDocument();
    expect(screen.getByText("Method: mSPRT (normal mixture), unpaired")).toBeInTheDocument();
    const paired = screen.getByRole("table", { name: "Paired drawings (120 named by both versions)" });
    expect(within(paired).getByRole("row", { name: "Only treatment right 9" })).toBeInTheDocument();
  });

  it("counts the drawings both versions named towards the plan when the test is paired", async () => {
    const paired = experiment({ comparison: { ...experiment().comparison, method: "mSPRT (normal mixture), paired", paired: true } });
    mockFetch({ "GET /api/admin/experiments/e1": { status: 200, body: paired } });
    render(<ExperimentPage id="e1" />);

    expect(await screen.findByText("Keep running: 120 of 1,700 planned labels per arm")).toBeInTheDocument();
    expect(screen.getByText("Method: mSPRT (normal mixture), paired")).toBeInTheDocument();
  });

  it("says why there is no difference yet, and shows an ended experiment without its buttons", async () => {
    const none = experiment({
      status: "stopped",
      endedAt: "2027-03-02T10:00:00Z",
      paired: { drawings: 0, bothRight: 0, controlOnly: 0, treatmentOnly: 0, bothWrong: 0 },
      comparison: { ...experiment().comparison, difference: null, interval: null, pValue: null, decision: "no difference at the planned power" },
    });
    none.arms = none.arms.map((arm) => ({ ...arm, accuracy: null, interval: null, labelled: 0, correct: 0, latencyP50Ms: null }));
    mockFetch({ "GET /api/admin/experiments/e1": { status: 200, body: none } });
    render(<ExperimentPage id="e1" />);

    expect(await screen.findByText("No difference yet: both arms need labelled answers.")).toBeInTheDocument();
    expect(screen.getByText(/^No difference at the planned power/)).toBeInTheDocument();
    expect(screen.getByRole("img", { name: /Control v1: no labels yet; Treatment v2: no labels yet/ })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Stopped");
    expect(screen.queryByRole("button", { name: "Stop" })).not.toBeInTheDocument();
    expect(screen.queryByRole("table", { name: /Paired/ })).not.toBeInTheDocument();
  });

  it("stops after a confirmation, and a second thought keeps it running", async () => {
    let current = experiment();
    const { calls } = mockFetch({
      "GET /api/admin/experiments/e1": () => ({ status: 200, body: current }),
      "POST /api/admin/experiments/e1/stop": () => {
        current = experiment({ status: "stopped", endedAt: "2027-03-02T10:00:00Z" });
        return { status: 200, body: current };
      },
    });
    render(<ExperimentPage id="e1" />);

    await userEvent.click(await screen.findByRole("button", { name: "Stop" }));
    const confirm = screen.getByRole("group", { name: "Confirm stopping" });
    expect(confirm).toHaveTextContent("Stop the experiment? All traffic goes back to v1, which stays active.");
    expect(within(confirm).getByRole("button", { name: "No, keep it running" })).toHaveFocus();
    await userEvent.click(within(confirm).getByRole("button", { name: "No, keep it running" }));
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    await userEvent.click(screen.getByRole("button", { name: "Stop" }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, stop" }));
    await waitFor(() => expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Stopped"));
    expect(calls.filter((call) => call.method === "POST").map((call) => call.path)).toEqual(["/api/admin/experiments/e1/stop"]);
    expect(screen.queryByRole("button", { name: "Promote treatment" })).not.toBeInTheDocument();
  });

  it("promotes the treatment after a confirmation, and shows why when it had ended", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/experiments/e1": { status: 200, body: experiment() },
      "POST /api/admin/experiments/e1/promote": {
        status: 409,
        body: { error: "EXPERIMENT_ENDED", message: "The experiment has ended already.", requestId: "r3" },
      },
    });
    render(<ExperimentPage id="e1" />);

    await userEvent.click(await screen.findByRole("button", { name: "Promote treatment" }));
    expect(screen.getByRole("group", { name: "Confirm promotion" })).toHaveTextContent(
      "Make v2 the active model in place of v1, and end the experiment?",
    );
    await userEvent.click(screen.getByRole("button", { name: "Yes, promote" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The experiment was not changed.");
    expect(alert).toHaveTextContent("The experiment has ended already.");
    expect(calls.filter((call) => call.method === "POST").map((call) => call.path)).toEqual(["/api/admin/experiments/e1/promote"]);
    await waitFor(() => expect(calls.filter((call) => call.path === "/api/admin/experiments/e1" && call.method === "GET")).toHaveLength(2));
  });
});

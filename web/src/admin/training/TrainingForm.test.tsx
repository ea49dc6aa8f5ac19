import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { AdminShape, TrainingJob } from "../../api/admin";
import { dataset } from "../datasets/fixtures";
import { TrainingForm } from "./TrainingForm";

const shape = (id: string, active = true): AdminShape => ({
  id, name: id, closed: true, active, position: 0, createdAt: "2026-01-01T00:00:00Z", total: 10, unflagged: 10,
});
const SHAPES = [shape("circle"), shape("square"), shape("star"), shape("old", false)];

function job(status: TrainingJob["status"], config: Partial<TrainingJob["config"]> = {}): TrainingJob {
  return {
    id: `job-${status}`,
    status,
    config: {
      epochs: 8, shapes: ["circle", "square", "star"], minQuality: 0, includeSynthetic: true,
      includeFlagged: false, seed: null, activate: false, ...config,
    },
    configHash: "abc",
    progress: { epochs: [], cancelRequested: false },
    attempts: 1, error: null, modelId: null,
    createdAt: "2026-01-01T00:00:00Z", queuedAt: null, startedAt: null, finishedAt: null,
  };
}

const startButton = () => screen.getByRole("button", { name: "Start training" });

describe("TrainingForm", () => {
  it("disables Start training while a job with the same config is running", () => {
    render(<TrainingForm shapes={SHAPES} jobs={[job("running")]} starting={false} onStart={vi.fn()} />);
    expect(startButton()).toBeDisabled();
    expect(screen.getByRole("status")).toHaveTextContent("already running");
  });

  it("enables it again for a different config, and sends that config", async () => {
    const onStart = vi.fn();
    render(<TrainingForm shapes={SHAPES} jobs={[job("running")]} starting={false} onStart={onStart} />);
    const epochs = screen.getByLabelText("Epochs");
    await userEvent.clear(epochs);
    await userEvent.type(epochs, "3");

    expect(startButton()).toBeEnabled();
    await userEvent.click(startButton());
    expect(onStart).toHaveBeenCalledWith({ epochs: 3, minQuality: 0, includeSynthetic: true, includeFlagged: false, activate: false });
  });

  it("sends a minimum agreement when one is typed, and tells a filtered job from an unfiltered one", async () => {
    const onStart = vi.fn();
    render(<TrainingForm shapes={SHAPES} jobs={[job("running", { minAgreement: 0.4 })]} starting={false} onStart={onStart} />);
    expect(startButton()).toBeEnabled(); // the running job filters, the form does not

    await userEvent.type(screen.getByLabelText("Minimum agreement"), "0.4");
    expect(startButton()).toBeDisabled();
    await userEvent.clear(screen.getByLabelText("Minimum agreement"));
    await userEvent.type(screen.getByLabelText("Minimum agreement"), "0.6");
    await userEvent.click(startButton());
    expect(onStart).toHaveBeenCalledWith({
      epochs: 8, minQuality: 0, minAgreement: 0.6, includeSynthetic: true, includeFlagged: false, activate: false,
    });
  });

  it("sends minimum consensus and trust, and tells jobs apart by them", async () => {
    const onStart = vi.fn();
    render(
      <TrainingForm shapes={SHAPES} jobs={[job("queued", { minConsensus: 0.5, minTrust: 0.3 })]} starting={false} onStart={onStart} />,
    );
    await userEvent.type(screen.getByLabelText("Minimum consensus"), "0.5");
    expect(startButton()).toBeEnabled(); // the queued job also filters by trust
    await userEvent.type(screen.getByLabelText("Minimum trust"), "0.3");
    expect(startButton()).toBeDisabled();
    await userEvent.clear(screen.getByLabelText("Minimum trust"));
    await userEvent.type(screen.getByLabelText("Minimum trust"), "2");
    expect(screen.getByText(/Minimum trust must be between 0 and 1/)).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText("Minimum trust"));
    await userEvent.type(screen.getByLabelText("Minimum trust"), "0.4");
    await userEvent.click(startButton());
    expect(onStart).toHaveBeenCalledWith({
      epochs: 8, minQuality: 0, minConsensus: 0.5, minTrust: 0.4, includeSynthetic: true, includeFlagged: false, activate: false,
    });
  });

  it("refuses a minimum agreement outside 0 to 1", async () => {
    render(<TrainingForm shapes={SHAPES} jobs={[]} starting={false} onStart={vi.fn()} />);
    await userEvent.type(screen.getByLabelText("Minimum agreement"), "1.5");
    expect(startButton()).toBeDisabled();
    expect(screen.getByText(/Minimum agreement must be between 0 and 1/)).toBeInTheDocument();
  });

  it("ignores finished jobs with the same config, and compares the shapes as a set", async () => {
    const { rerender } = render(
      <TrainingForm shapes={SHAPES} jobs={[job("completed"), job("failed")]} starting={false} onStart={vi.fn()} />,
    );
    expect(startButton()).toBeEnabled();

    rerender(<TrainingForm shapes={SHAPES} jobs={[job("queued", { shapes: ["square", "star"] })]} starting={false} onStart={vi.fn()} />);
    await userEvent.click(screen.getByLabelText("star"));
    await userEvent.click(screen.getByLabelText("square"));
    expect(startButton()).toBeDisabled();
  });

  it("refuses a config with fewer than two shapes", async () => {
    render(<TrainingForm shapes={SHAPES} jobs={[]} starting={false} onStart={vi.fn()} />);
    await userEvent.click(screen.getByLabelText("circle"));
    expect(startButton()).toBeDisabled();
    expect(screen.getByText("A classifier needs at least 2 shapes.")).toBeInTheDocument();
  });

  it("trains from a picked snapshot in place of the filters", async () => {
    const onStart = vi.fn();
    const onDatasetChange = vi.fn();
    const snapshots = [dataset("d1", "spring-2027"), dataset("d0", "job-1", { implicit: true })];
    const { rerender } = render(
      <TrainingForm shapes={SHAPES} jobs={[]} starting={false} onStart={onStart} datasets={snapshots} onDatasetChange={onDatasetChange} />,
    );
    const choice = screen.getByRole("combobox", { name: "Train from snapshot" });
    expect(screen.getByRole("option", { name: "job-1 (150 drawings, made by a training job)" })).toBeInTheDocument();
    await userEvent.selectOptions(choice, "d1");
    expect(onDatasetChange).toHaveBeenCalledWith("d1");

    rerender(
      <TrainingForm shapes={SHAPES} jobs={[]} starting={false} onStart={onStart} datasets={snapshots} datasetId="d1" onDatasetChange={onDatasetChange} />,
    );
    expect(screen.getByRole("combobox", { name: "Train from snapshot" })).toHaveAccessibleDescription(/150 drawings of 2 shapes frozen in “spring-2027”/);
    expect(screen.queryByLabelText("Minimum quality")).not.toBeInTheDocument();
    expect(screen.queryByRole("group", { name: /Shapes/ })).not.toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText("Epochs"));
    await userEvent.type(screen.getByLabelText("Epochs"), "2");
    await userEvent.click(startButton());
    expect(onStart).toHaveBeenCalledWith({ epochs: 2, datasetId: "d1", activate: false });
  });

  it("tells that the same snapshot is already being trained", () => {
    const running = job("running");
    const onSnapshot = { ...running, config: { ...running.config, datasetId: "d1" } };
    render(<TrainingForm shapes={SHAPES} jobs={[onSnapshot]} starting={false} onStart={vi.fn()} datasets={[dataset("d1", "spring-2027")]} datasetId="d1" onDatasetChange={vi.fn()} />);
    expect(startButton()).toBeDisabled();
    expect(screen.getByRole("status")).toHaveTextContent("already running");
  });
});

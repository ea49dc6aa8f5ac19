import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockFetch } from "../test/mockFetch";
import { DatasetsPage } from "./DatasetsPage";
import { dataset, SHAPES } from "./fixtures";

const SPRING = dataset("d1", "spring-2027", { models: [{ id: "m3", version: 3 }] });
const IMPLICIT = dataset("d0", "job-1234", { implicit: true, drawings: 90, withdrawn: 2 });

describe("DatasetsPage", () => {
  it("lists the snapshots with their shapes, models, and those a training job made", async () => {
    mockFetch({
      "GET /api/admin/datasets": { status: 200, body: [SPRING, IMPLICIT] },
      "GET /api/admin/shapes": { status: 200, body: SHAPES },
    });
    render(<DatasetsPage />);

    expect(screen.getByRole("heading", { level: 1, name: "Datasets" })).toBeInTheDocument();
    const spring = await screen.findByRole("row", { name: /spring-2027/ });
    expect(within(spring).getByRole("link", { name: "spring-2027" })).toHaveAttribute("href", "/admin/datasets/d1");
    expect(within(spring).getByRole("link", { name: "v3" })).toHaveAttribute("href", "/admin/models?model=m3");
    expect(within(spring).getByRole("cell", { name: "150" })).toBeInTheDocument();
    expect(await within(spring).findByRole("cell", { name: "Circle, Square" })).toBeInTheDocument();
    expect(within(spring).queryByText("made by a training job")).not.toBeInTheDocument();

    const implicit = screen.getByRole("row", { name: /job-1234/ });
    expect(within(implicit).getByText("made by a training job")).toBeInTheDocument();
    expect(within(implicit).getByText("(2 withdrawn)")).toBeInTheDocument();
  });

  it("posts the filter, shows the server's field error next to the field, then the new snapshot", async () => {
    let refuse = true;
    const made = dataset("d2", "spring-2027", { drawings: 120 });
    const { calls } = mockFetch({
      "GET /api/admin/datasets": () => ({ status: 200, body: refuse ? [] : [made] }),
      "GET /api/admin/shapes": { status: 200, body: SHAPES },
      "POST /api/admin/datasets": () =>
        refuse
          ? {
              status: 400,
              body: {
                error: "VALIDATION_ERROR",
                message: "filter.minQuality: too strict",
                details: [{ field: "filter.minQuality", message: "Input should be less than or equal to 0.9" }],
                requestId: "r1",
              },
            }
          : { status: 201, body: made },
    });
    render(<DatasetsPage />);

    expect(await screen.findByText(/No snapshot yet/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Name"), "spring-2027");
    await userEvent.click(await screen.findByRole("checkbox", { name: "Circle" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Square" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Game" }));
    await userEvent.type(screen.getByLabelText("Minimum quality"), "0.95");
    await userEvent.type(screen.getByLabelText("Minimum trust"), "0.5");
    await userEvent.click(screen.getByRole("checkbox", { name: "Include synthetic drawings" }));
    await userEvent.click(screen.getByRole("button", { name: "Make snapshot" }));

    const quality = screen.getByLabelText("Minimum quality");
    expect(await screen.findByText("Input should be less than or equal to 0.9")).toBeInTheDocument();
    expect(quality).toHaveAttribute("aria-invalid", "true");
    expect(quality).toHaveAccessibleDescription("Input should be less than or equal to 0.9");
    expect(quality).toHaveFocus();
    expect(screen.getByLabelText("Name")).not.toHaveAttribute("aria-invalid");
    const posted = calls.filter((call) => call.method === "POST");
    expect(posted[0].body).toEqual({
      name: "spring-2027",
      filter: { shapes: ["circle", "square"], sources: ["game"], minQuality: 0.95, minTrust: 0.5, includeSynthetic: false, includeFlagged: false },
    });

    refuse = false;
    await userEvent.clear(quality);
    await userEvent.type(quality, "0.3");
    await userEvent.click(screen.getByRole("button", { name: "Make snapshot" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Snapshot “spring-2027” made: 120 drawings.");
    expect(screen.getByRole("link", { name: "Open spring-2027" })).toHaveAttribute("href", "/admin/datasets/d2");
    expect(await screen.findByRole("row", { name: /spring-2027/ })).toBeInTheDocument();
    expect(screen.queryByText("Input should be less than or equal to 0.9")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveValue(""); // ready for the next one
  });

  it("shows a taken name at the name, and an empty snapshot for the whole form", async () => {
    let answer: { status: number; body: unknown } = {
      status: 409,
      body: { error: "DATASET_NAME_TAKEN", message: "A snapshot named spring-2027 already exists", requestId: "r" },
    };
    mockFetch({
      "GET /api/admin/datasets": { status: 200, body: [SPRING] },
      "GET /api/admin/shapes": { status: 200, body: SHAPES },
      "POST /api/admin/datasets": () => answer,
    });
    render(<DatasetsPage />);

    await userEvent.type(screen.getByLabelText("Name"), "spring-2027");
    await userEvent.click(screen.getByRole("button", { name: "Make snapshot" }));
    const name = screen.getByLabelText("Name");
    expect(await screen.findByText("A snapshot named spring-2027 already exists")).toBeInTheDocument();
    expect(name).toHaveAccessibleDescription("A snapshot named spring-2027 already exists");

    answer = {
      status: 400,
      body: { error: "VALIDATION_ERROR", message: "no drawing", details: [{ field: "filter", message: "No drawing matches the filter" }], requestId: "r" },
    };
    await userEvent.clear(name);
    await userEvent.type(name, "empty");
    await userEvent.click(screen.getByRole("button", { name: "Make snapshot" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("No drawing matches the filter");
    expect(name).not.toHaveAttribute("aria-invalid");
  });

  it("checks the name and the thresholds before asking the server", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/datasets": { status: 200, body: [] },
      "GET /api/admin/shapes": { status: 200, body: SHAPES },
    });
    render(<DatasetsPage />);

    await userEvent.type(screen.getByLabelText("Minimum agreement"), "2");
    await userEvent.click(screen.getByRole("button", { name: "Make snapshot" }));
    expect(screen.getByLabelText("Name")).toHaveAccessibleDescription("Give the snapshot a name.");
    expect(screen.getByLabelText("Name")).toHaveFocus();
    expect(screen.getByLabelText("Minimum agreement")).toHaveAccessibleDescription("Minimum agreement must be a number from 0 to 1, or empty.");
    expect(calls.some((call) => call.method === "POST")).toBe(false);
  });
});

import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { mockFetch } from "../test/mockFetch";
import { DatasetDetailPage } from "./DatasetDetailPage";
import { detail, SHAPES } from "./fixtures";

/** The value a fact list gives a term. */
const fact = (term: string) => screen.getByText(term, { selector: "dt" }).nextElementSibling;

describe("DatasetDetailPage", () => {
  it("shows the counts, the filter, the hash, the datasheet and the models trained on it", async () => {
    mockFetch({
      "GET /api/admin/datasets/d1": { status: 200, body: detail() },
      "GET /api/admin/shapes": { status: 200, body: SHAPES },
    });
    render(<DatasetDetailPage id="d1" />);

    expect(await screen.findByRole("heading", { level: 1, name: "spring-2027" })).toBeInTheDocument();
    const perShape = screen.getByRole("table", { name: "Drawings per shape" });
    expect(within(await within(perShape).findByRole("row", { name: /Circle/ })).getByRole("cell")).toHaveTextContent("100");
    expect(within(perShape).getByRole("row", { name: /Square/ })).toHaveTextContent("50");
    expect(screen.getByText("a".repeat(64))).toBeInTheDocument();
    expect(fact("Withdrawn since")).toHaveTextContent("3");
    expect(fact("Quality")).toHaveTextContent("≥ 0.3");
    expect(fact("Sources")).toHaveTextContent("Every source");

    const sources = screen.getByRole("table", { name: "Sources" });
    expect(within(sources).getByRole("row", { name: /synthetic/ })).toHaveTextContent("100");
    expect(within(sources).getByRole("row", { name: /game/ })).toHaveTextContent("40");
    const licences = screen.getByRole("table", { name: "Licences" });
    expect(within(licences).getByRole("row", { name: /CC BY 4.0/ })).toHaveTextContent("50");
    expect(screen.getByRole("list", { name: "Withdrawals" })).toHaveTextContent("3 withdrawn; hash bbbbbbbbbbbb → aaaaaaaaaaaa");
    expect(screen.getByRole("link", { name: "Version 3" })).toHaveAttribute("href", "/admin/models?model=m3");

    expect(screen.getByRole("link", { name: "Download (JSON Lines)" })).toHaveAttribute("href", "/api/admin/datasets/d1/export?format=ndjson");
    expect(screen.getByRole("link", { name: "Download datasheet" })).toHaveAttribute("href", "/api/admin/datasets/d1/datasheet");
    expect(screen.getByRole("link", { name: "Train from this snapshot" })).toHaveAttribute("href", "/admin/training?dataset=d1");
  });

  it("deletes after a confirmation, and when models use it explains which and deletes anyway with force", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/datasets/d1": { status: 200, body: detail() },
      "GET /api/admin/shapes": { status: 200, body: SHAPES },
      "DELETE /api/admin/datasets/d1": (call) =>
        call.search === "?force=true"
          ? { status: 204 }
          : { status: 409, body: { error: "DATASET_IN_USE", message: "Models were trained on this snapshot", requestId: "r" } },
    });
    render(<DatasetDetailPage id="d1" />);

    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    const confirm = screen.getByRole("group", { name: "Confirm deletion" });
    expect(confirm).toHaveTextContent("Delete the snapshot “spring-2027” for good?");
    await userEvent.click(within(confirm).getByRole("button", { name: "Yes, delete" }));

    const refusal = await screen.findByRole("alertdialog", { name: "The snapshot is in use." });
    expect(refusal).toHaveAccessibleDescription(/Model v3 was trained on it\./);
    expect(within(refusal).getByRole("link", { name: "v3" })).toHaveAttribute("href", "/admin/models?model=m3");
    expect(within(refusal).getByRole("button", { name: "Keep it" })).toHaveFocus();
    expect(calls.filter((call) => call.method === "DELETE").map((call) => call.search)).toEqual([""]);

    await userEvent.click(within(refusal).getByRole("button", { name: "Delete anyway" }));
    expect(await screen.findByRole("status")).toHaveTextContent("The snapshot was deleted.");
    await waitFor(() => expect(calls.filter((call) => call.method === "DELETE").map((call) => call.search)).toEqual(["", "?force=true"]));
  });

  it("keeps the snapshot when the refusal is answered Keep it", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/datasets/d1": { status: 200, body: detail() },
      "DELETE /api/admin/datasets/d1": { status: 409, body: { error: "DATASET_IN_USE", message: "in use", requestId: "r" } },
    });
    render(<DatasetDetailPage id="d1" />);

    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, delete" }));
    await userEvent.click(await screen.findByRole("button", { name: "Keep it" }));
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Delete" })).toBeInTheDocument();
    expect(calls.filter((call) => call.method === "DELETE")).toHaveLength(1);
  });

  it("says when there is no such snapshot", async () => {
    mockFetch({ "GET /api/admin/datasets/gone": { status: 404, body: { error: "NOT_FOUND", message: "No such dataset", requestId: "r" } } });
    render(<DatasetDetailPage id="gone" />);
    expect(await screen.findByRole("alert")).toHaveTextContent("No such dataset");
    expect(screen.getByRole("link", { name: "← All snapshots" })).toHaveAttribute("href", "/admin/datasets");
  });
});

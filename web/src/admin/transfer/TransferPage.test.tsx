import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { CIRCLE, SQUARE, ZIGZAG } from "../shapes/fixtures";
import { mockFetch } from "../test/mockFetch";
import { TransferPage } from "./TransferPage";

const LINES = '{"label":"circle","strokes":[[[0,0,0],[10,10,20]]]}\n{"label":"star","strokes":[]}\n';
const file = () => new File([LINES], "drawings.ndjson", { type: "application/x-ndjson" });
const SHAPES = { status: 200, body: [CIRCLE, SQUARE, ZIGZAG] };

describe("TransferPage", () => {
  it("uploads the file as the body with its source, then shows the counts and each refused line", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/shapes": SHAPES,
      "POST /api/admin/import": {
        status: 200,
        body: {
          lines: 4, imported: 1, duplicates: 1, failed: 2,
          errors: [
            { line: 2, field: "label", message: "unknown shape 'star'" },
            { line: 4, field: "strokes[0][1][2]", message: "time goes backwards" },
          ],
        },
      },
    });
    render(<TransferPage />);

    expect(screen.getByRole("heading", { level: 1, name: "Import & export" })).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "Import" });
    await userEvent.upload(within(form).getByLabelText("File"), file());
    await userEvent.type(within(form).getByRole("textbox", { name: "Source (optional)" }), "archive");
    await userEvent.click(within(form).getByRole("button", { name: "Import file" }));

    expect(await screen.findByRole("status")).toHaveTextContent(
      "drawings.ndjson: 1 drawing imported, 1 duplicate skipped, 2 lines refused.",
    );
    const result = screen.getByRole("region", { name: "Import result" });
    expect(within(result).getAllByRole("term").map((term) => `${term.textContent}: ${term.nextElementSibling?.textContent}`)).toEqual([
      "Lines read: 4", "Imported: 1", "Duplicates: 1", "Refused: 2",
    ]);
    const refused = within(result).getByRole("table", { name: "Refused lines" });
    expect(within(refused).getAllByRole("row").slice(1).map((row) => row.textContent)).toEqual([
      "2labelunknown shape 'star'", "4strokes[0][1][2]time goes backwards",
    ]);

    const [posted] = calls.filter((call) => call.method === "POST");
    expect(posted.search).toBe("?source=archive");
    expect(posted.headers.get("Content-Type")).toBe("application/x-ndjson");
    expect(await (posted.body as Blob).text()).toBe(LINES);
    expect(within(form).getByLabelText("File")).toHaveValue("");
  });

  it("asks for a file, and shows the server's refusal of the source at the field", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/shapes": SHAPES,
      "POST /api/admin/import": {
        status: 400,
        body: {
          error: "VALIDATION_ERROR",
          message: "source: 1-16 lower-case letters, digits, '-' or '_', starting with a letter",
          details: [{ field: "source", message: "1-16 lower-case letters, digits, '-' or '_', starting with a letter" }],
          requestId: "r",
        },
      },
    });
    render(<TransferPage />);
    const form = screen.getByRole("form", { name: "Import" });
    const fileInput = within(form).getByLabelText("File");
    const source = within(form).getByRole("textbox", { name: "Source (optional)" });

    await userEvent.click(within(form).getByRole("button", { name: "Import file" }));
    expect(fileInput).toHaveAccessibleDescription("Choose a file to import.");
    expect(fileInput).toHaveFocus();
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    await userEvent.upload(fileInput, file());
    await userEvent.click(within(form).getByRole("button", { name: "Import file" }));
    expect(await within(form).findByText("1-16 lower-case letters, digits, '-' or '_', starting with a letter")).toBeInTheDocument();
    expect(source).toHaveAttribute("aria-invalid", "true");
    expect(source).toHaveFocus();
    expect(fileInput).not.toHaveAttribute("aria-invalid");
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
  });

  it("builds the download link from the format, the shapes and the flagged choice", async () => {
    mockFetch({ "GET /api/admin/shapes": SHAPES });
    render(<TransferPage />);

    const download = await screen.findByRole("link", { name: "Download export" });
    expect(download).toHaveAttribute("href", "/api/admin/export?format=ndjson");
    expect(download).toHaveAttribute("download");
    expect(download).toHaveAccessibleDescription("The drawings of every shape, flagged ones left out, oldest first, one a line.");
    expect(screen.getByRole("checkbox", { name: "Zigzag (inactive)" })).not.toBeChecked();

    await userEvent.click(screen.getByRole("radio", { name: "Quick, Draw! raw format (quickdraw)" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Circle" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Zigzag (inactive)" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Include flagged drawings" }));

    expect(download).toHaveAttribute("href", "/api/admin/export?format=quickdraw&shape=circle&shape=zigzag&includeFlagged=true");
    expect(download).toHaveAccessibleDescription("The drawings of 2 shapes, flagged ones included, oldest first, one a line.");
    expect(screen.getByRole("group", { name: "Shapes (2 ticked)" })).toBeInTheDocument();
  });
});

import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { AdminShape } from "../../api/admin";
import { mockFetch, type Call } from "../test/mockFetch";
import { CATALOGUE, CIRCLE, SQUARE, ZIGZAG } from "./fixtures";
import { ShapesPage } from "./ShapesPage";

const byId = new Map(CATALOGUE.map((s) => [s.id, s]));

/** PATCH /api/admin/shapes/{id}: the shape with the body's changes. */
const patched = (call: Call) => {
  const id = call.path.split("/").pop() ?? "";
  const changed = { ...byId.get(id), ...(call.body as Partial<AdminShape>) } as AdminShape;
  return { status: 200, body: changed };
};

const rowNames = () => screen.getAllByRole("row").slice(1).map((row) => within(row).getByRole("rowheader").textContent);

describe("ShapesPage", () => {
  it("lists the catalogue in the game's order with its counts", async () => {
    mockFetch({ "GET /api/admin/shapes": { status: 200, body: CATALOGUE } });
    render(<ShapesPage />);

    expect(screen.getByRole("heading", { level: 1, name: "Shapes" })).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: "The catalogue, in the order the game prompts it" });
    expect(within(table).getAllByRole("columnheader").map((th) => th.textContent)).toEqual([
      "Order", "Name", "Id", "Outline", "Status", "Drawings", "Unflagged", "Move",
    ]);
    expect(rowNames()).toEqual(["CircleRename Circle", "SquareRename Square", "ZigzagRename Zigzag"]);
    const zigzag = screen.getByRole("row", { name: /Zigzag/ });
    expect(within(zigzag).getAllByRole("cell").map((cell) => cell.textContent)).toEqual([
      "3", "zigzag", "Open", "InactiveActivate Zigzag", "1,234", "27", "Move Zigzag upMove Zigzag down",
    ]);
    expect(screen.getByRole("button", { name: "Move Circle up" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Move Zigzag down" })).toBeDisabled();
  });

  it("renames in place, shows the server's refusal at the field, and Escape cancels", async () => {
    let refuse = true;
    const { calls } = mockFetch({
      "GET /api/admin/shapes": { status: 200, body: CATALOGUE },
      "PATCH /api/admin/shapes/square": (call) =>
        refuse
          ? {
              status: 400,
              body: { error: "VALIDATION_ERROR", message: "name: too long", details: [{ field: "name", message: "String should have at most 80 characters" }], requestId: "r" },
            }
          : patched(call),
    });
    render(<ShapesPage />);

    await userEvent.click(await screen.findByRole("button", { name: "Rename Square" }));
    const field = screen.getByRole("textbox", { name: "New name for Square" });
    expect(field).toHaveFocus();
    await userEvent.clear(field);
    await userEvent.type(field, "Box{Enter}");
    expect(await screen.findByText("String should have at most 80 characters")).toBeInTheDocument();
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(field).toHaveAccessibleDescription("String should have at most 80 characters");
    expect(calls.filter((call) => call.method === "PATCH").map((call) => call.body)).toEqual([{ name: "Box" }]);

    refuse = false;
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("status")).toHaveTextContent("“Square” renamed to “Box”.");
    expect(screen.getByRole("row", { name: /Box/ })).toHaveTextContent("square");
    expect(screen.getByRole("button", { name: "Rename Box" })).toHaveFocus();

    await userEvent.click(screen.getByRole("button", { name: "Rename Circle" }));
    await userEvent.type(screen.getByRole("textbox", { name: "New name for Circle" }), "x{Escape}");
    expect(screen.queryByRole("textbox", { name: "New name for Circle" })).not.toBeInTheDocument();
    expect(calls.filter((call) => call.method === "PATCH")).toHaveLength(2);
  });

  it("deactivates and activates, and says why the last active shape stays", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/shapes": { status: 200, body: CATALOGUE },
      "PATCH /api/admin/shapes/circle": patched,
      "PATCH /api/admin/shapes/zigzag": patched,
      "PATCH /api/admin/shapes/square": {
        status: 409,
        body: {
          error: "CONFLICT",
          message: "The last active shape cannot be deactivated: the game would have nothing to prompt.",
          details: [{ field: "active", message: "the last active shape" }],
          requestId: "r",
        },
      },
    });
    render(<ShapesPage />);

    await userEvent.click(await screen.findByRole("button", { name: "Deactivate Circle" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Circle is inactive: the game no longer prompts it.");
    expect(within(screen.getByRole("row", { name: /Circle/ })).getByText("Inactive")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Activate Circle" })).toHaveFocus();

    await userEvent.click(screen.getByRole("button", { name: "Activate Zigzag" }));
    expect(await screen.findByText("Zigzag is active: the game prompts it again.")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Deactivate Square" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Square could not be deactivated.");
    expect(alert).toHaveTextContent("The last active shape cannot be deactivated");
    expect(calls.filter((call) => call.method === "PATCH").map((call) => [call.path, call.body])).toEqual([
      ["/api/admin/shapes/circle", { active: false }],
      ["/api/admin/shapes/zigzag", { active: true }],
      ["/api/admin/shapes/square", { active: false }],
    ]);
  });

  it("moves a shape with the keyboard, keeping the focus on it, and stores the swapped positions", async () => {
    const { calls } = mockFetch({
      "GET /api/admin/shapes": { status: 200, body: CATALOGUE },
      "PATCH /api/admin/shapes/circle": patched,
      "PATCH /api/admin/shapes/square": patched,
      "PATCH /api/admin/shapes/zigzag": patched,
    });
    render(<ShapesPage />);

    const down = await screen.findByRole("button", { name: "Move Circle down" });
    down.focus();
    await userEvent.keyboard("{Enter}");
    expect(await screen.findByRole("status")).toHaveTextContent("Circle moved down: 2 of 3.");
    expect(rowNames()).toEqual(["SquareRename Square", "CircleRename Circle", "ZigzagRename Zigzag"]);
    expect(screen.getByRole("button", { name: "Move Circle down" })).toHaveFocus();
    expect(calls.filter((call) => call.method === "PATCH").map((call) => [call.path, call.body])).toEqual([
      ["/api/admin/shapes/circle", { position: 1 }],
      ["/api/admin/shapes/square", { position: 0 }],
    ]);

    await userEvent.keyboard("{Enter}");
    await waitFor(() => expect(rowNames()).toEqual(["SquareRename Square", "ZigzagRename Zigzag", "CircleRename Circle"]));
    // At the bottom, Move down is disabled: Move up takes the focus.
    await waitFor(() => expect(screen.getByRole("button", { name: "Move Circle up" })).toHaveFocus());
    expect(screen.getByRole("row", { name: /Circle/ })).toHaveTextContent(/^3/);
  });

  it("shows a refused move and leaves the order as it was", async () => {
    mockFetch({
      "GET /api/admin/shapes": { status: 200, body: CATALOGUE },
      "PATCH /api/admin/shapes/square": {
        status: 400,
        body: { error: "VALIDATION_ERROR", message: "position: Extra inputs are not permitted", details: [{ field: "position", message: "Extra inputs are not permitted" }], requestId: "r" },
      },
    });
    render(<ShapesPage />);

    await userEvent.click(await screen.findByRole("button", { name: "Move Square up" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Square could not be moved up.");
    expect(rowNames()).toEqual(["CircleRename Circle", "SquareRename Square", "ZigzagRename Zigzag"]);
  });

  it("adds a shape: its own checks, the server's field error by the field, then the new row", async () => {
    let answer: { status: number; body: unknown } = {
      status: 409,
      body: { error: "CONFLICT", message: "A shape 'star' already exists.", details: [{ field: "id", message: "already exists" }], requestId: "r" },
    };
    const star = { ...CIRCLE, id: "star", name: "Star", position: 3, total: 0, unflagged: 0 };
    const { calls } = mockFetch({
      "GET /api/admin/shapes": { status: 200, body: [CIRCLE, SQUARE, ZIGZAG] },
      "POST /api/admin/shapes": () => answer,
    });
    render(<ShapesPage />);
    const form = screen.getByRole("form", { name: "New shape" });
    const id = within(form).getByRole("textbox", { name: "Id" });
    const name = within(form).getByRole("textbox", { name: "Name" });

    await userEvent.type(id, "Star!");
    await userEvent.click(within(form).getByRole("button", { name: "Add shape" }));
    expect(id).toHaveAccessibleDescription(/^2–40 characters: lower-case letters/);
    expect(id).toHaveFocus();
    expect(name).toHaveAccessibleDescription("Give the shape a name.");
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    await userEvent.clear(id);
    await userEvent.type(id, "star");
    await userEvent.type(name, "Star");
    await userEvent.click(within(form).getByRole("checkbox", { name: "Closed outline" }));
    await userEvent.click(within(form).getByRole("button", { name: "Add shape" }));
    expect(await within(form).findByText("already exists")).toBeInTheDocument();
    expect(id).toHaveAttribute("aria-invalid", "true");
    expect(id).toHaveAccessibleDescription("already exists Labels exports and datasets; it cannot change later.");
    expect(name).not.toHaveAttribute("aria-invalid");
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ id: "star", name: "Star", closed: true });

    answer = { status: 201, body: star };
    await userEvent.click(within(form).getByRole("button", { name: "Add shape" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Shape “Star” added at the end of the catalogue.");
    expect(rowNames().at(-1)).toBe("StarRename Star");
    expect(id).toHaveValue("");
    expect(id).not.toHaveAttribute("aria-invalid");
  });
});

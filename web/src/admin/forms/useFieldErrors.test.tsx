import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useId, useState, type FormEvent } from "react";
import { describe, expect, it } from "vitest";
import { ApiError, type ErrorDetail } from "../../api/client";
import { fieldErrors, serverErrors, useFieldErrors } from "./useFieldErrors";

type Slot = "name" | "size" | "form";
const slotOf = (field: string): Slot => {
  const name = field.replace(/^body\./, "");
  return name === "name" || name === "size" ? name : "form";
};

/** A form as the admin pages make one: its own check, then the server's answer (null: accepted). */
function TestForm({ answers }: { answers: (ApiError | null)[] }) {
  const id = useId();
  const [name, setName] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const fields = useFieldErrors({ id, error, slotOf, codes: { NAME_TAKEN: "name" } });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: ErrorDetail[] = name.trim() === "" ? [{ field: "name", message: "Give it a name." }] : [];
    if (!fields.check(found)) return;
    setError(answers.shift() ?? null);
  };
  return (
    <form ref={fields.formRef} noValidate aria-label="Test" onSubmit={submit}>
      <p id={`${id}-hint`}>Up to 10.</p>
      <div data-testid="name-field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} value={name} {...fields.invalid("name")} onChange={(e) => setName(e.target.value)} />
        {fields.message("name")}
      </div>
      <div data-testid="size-field">
        <label htmlFor={`${id}-size`}>Size</label>
        <input id={`${id}-size`} {...fields.invalid("size", `${id}-hint`)} />
        {fields.message("size")}
      </div>
      <fieldset {...fields.described("size")}>
        <legend>Options</legend>
      </fieldset>
      {fields.formMessage()}
      {fields.unplaced && <p role="status">Unplaced: {fields.unplaced.message}</p>}
      <button type="submit">Save</button>
    </form>
  );
}

const validation = (details: ErrorDetail[], message = "The request is not valid.") =>
  new ApiError({ status: 422, code: "VALIDATION_ERROR", message, details });

describe("useFieldErrors", () => {
  it("shows the form's own problem next to its input, marks it invalid and focuses it, and clears it on the next submit", async () => {
    render(<TestForm answers={[null]} />);
    const name = screen.getByLabelText("Name");
    expect(name).not.toHaveAttribute("aria-invalid");
    expect(name).not.toHaveAttribute("aria-describedby");

    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    const message = screen.getByText("Give it a name.");
    expect(message).toHaveClass("admin-field__error");
    expect(message.previousElementSibling).toBe(name);
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveAccessibleDescription("Give it a name.");
    expect(name).toHaveFocus();

    await userEvent.type(name, "circle");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.queryByText("Give it a name.")).not.toBeInTheDocument();
    expect(name).not.toHaveAttribute("aria-invalid");
    expect(name).not.toHaveAttribute("aria-describedby");
  });

  it("places the server's details by field, keeps a hint in the description, and clears them on a new submit", async () => {
    const refused = validation([
      { field: "body.size", message: "Too big." },
      { field: "body.size", message: "Not a size." },
    ]);
    render(<TestForm answers={[refused, null]} />);
    const size = screen.getByLabelText("Size");
    expect(size).toHaveAccessibleDescription("Up to 10.");
    await userEvent.type(screen.getByLabelText("Name"), "circle");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    expect(screen.getByTestId("size-field")).toHaveTextContent("Too big.");
    expect(screen.queryByText("Not a size.")).not.toBeInTheDocument();
    expect(size).toHaveAttribute("aria-invalid", "true");
    expect(size).toHaveAccessibleDescription("Too big. Up to 10.");
    expect(size).toHaveFocus();
    expect(screen.getByRole("group", { name: "Options" })).toHaveAccessibleDescription("Too big.");
    expect(screen.getByRole("group", { name: "Options" })).not.toHaveAttribute("aria-invalid");
    expect(screen.getByLabelText("Name")).not.toHaveAttribute("aria-invalid");
    expect(screen.queryByRole("status")).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.queryByText("Too big.")).not.toBeInTheDocument();
    expect(size).not.toHaveAttribute("aria-invalid");
    expect(size).toHaveAccessibleDescription("Up to 10.");
  });

  it("puts a code's refusal at its field, a fieldless 400 at the form, and leaves other errors unplaced", async () => {
    const taken = new ApiError({ status: 409, code: "NAME_TAKEN", message: "That name is taken." });
    const fieldless = new ApiError({ status: 400, code: "VALIDATION_ERROR", message: "Nothing matches." });
    const down = new ApiError({ status: 503, code: "UNAVAILABLE", message: "Try later." });
    render(<TestForm answers={[taken, fieldless, down]} />);
    await userEvent.type(screen.getByLabelText("Name"), "circle");
    const save = screen.getByRole("button", { name: "Save" });

    await userEvent.click(save);
    expect(screen.getByLabelText("Name")).toHaveAccessibleDescription("That name is taken.");

    await userEvent.click(save);
    expect(screen.getByRole("alert")).toHaveTextContent("Nothing matches.");
    expect(screen.getByLabelText("Name")).not.toHaveAttribute("aria-invalid");

    await userEvent.click(save);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Unplaced: Try later.");
  });
});

describe("fieldErrors and serverErrors", () => {
  it("keep the first message per slot and send the unknown to the form", () => {
    expect(fieldErrors([{ field: "name", message: "a" }, { field: "name", message: "b" }, { field: "x", message: "c" }], slotOf)).toEqual({
      name: "a",
      form: "c",
    });
    expect(serverErrors(null, slotOf)).toBeNull();
    expect(serverErrors(new ApiError({ status: 500, code: "INTERNAL", message: "boom" }), slotOf)).toBeNull();
    expect(serverErrors(new ApiError({ status: 422, code: "constructor", message: "m" }), slotOf)).toEqual({ form: "m" });
  });
});

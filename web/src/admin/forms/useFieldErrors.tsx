// Field errors for the admin forms: the API's `details: [{field, message}]` and the form's own
// checks (named as the server would name them) are placed by slot next to their field, which
// is marked aria-invalid and described by its message; what belongs to no field goes to the
// `form` slot. After a refused try, the first field at fault takes the focus.
import { useEffect, useRef, useState, type ReactNode } from "react";
import type { ApiError, ErrorDetail } from "../../api/client";

/** One message per slot; `form` is the request as a whole. */
export type FieldErrors<Slot extends string> = Partial<Record<Slot | "form", string>>;

/** One message per slot (the first given). */
export function fieldErrors<Slot extends string>(details: readonly ErrorDetail[], slotOf: (field: string) => Slot): FieldErrors<Slot> {
  const errors: FieldErrors<Slot> = {};
  for (const detail of details) errors[slotOf(detail.field)] ??= detail.message;
  return errors;
}

export interface FieldErrorProps {
  id: string;
  message: string | undefined;
}

/** A field's message, shown next to it; the field names `id` in its aria-describedby. */
export function FieldError({ id, message }: FieldErrorProps): ReactNode {
  return (
    message && (
      <span id={id} className="admin-field__error">
        {message}
      </span>
    )
  );
}

export interface FieldErrorsOptions<Slot extends string> {
  /** The form's useId(); a slot's message is `${id}-${slot}-error`. */
  id: string;
  /** Why the last request failed. */
  error: ApiError | null;
  /** The slot of a field path, as the server and the form's checks name it; the unknown → `form`. */
  slotOf: (field: string) => Slot | "form";
  /** Error codes that are about one field, without details (e.g. a name already taken). */
  codes?: Readonly<Record<string, Slot>>;
}

/** The server's refusal by slot, or null when it is not about the input (then shown whole). */
export function serverErrors<Slot extends string>(
  error: ApiError | null,
  slotOf: (field: string) => Slot | "form",
  codes: Readonly<Record<string, Slot>> = {},
): FieldErrors<Slot> | null {
  if (!error) return null;
  if (Object.hasOwn(codes, error.code)) return { [codes[error.code]]: error.message } as FieldErrors<Slot>;
  if (error.details.length > 0) return fieldErrors(error.details, slotOf);
  return error.status === 400 || error.status === 422 ? ({ form: error.message } as FieldErrors<Slot>) : null;
}

export function useFieldErrors<Slot extends string>({ id, error, slotOf, codes }: FieldErrorsOptions<Slot>) {
  const [problems, setProblems] = useState<FieldErrors<Slot>>({});
  const fromServer = serverErrors(error, slotOf, codes);
  const errors: FieldErrors<Slot> = { ...fromServer, ...problems };
  const formRef = useRef<HTMLFormElement>(null);

  // After a refused try, the first field at fault takes the focus.
  const [tries, setTries] = useState(0);
  useEffect(() => {
    if (tries > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [tries, error]);

  const errorId = (slot: Slot | "form") => `${id}-${slot}-error`;

  return {
    errors,
    formRef,
    /** The request's error when no field holds it, for an ErrorDisplay; null otherwise. */
    unplaced: fromServer ? null : error,
    /** On submit: shows the form's own problems (clearing the last ones); true when there are none. */
    check(found: readonly ErrorDetail[]): boolean {
      setProblems(fieldErrors(found, slotOf));
      setTries((n) => n + 1);
      return found.length === 0;
    },
    /** A control's aria-invalid and aria-describedby (its message, then any hint's id). */
    invalid(slot: Slot, hint?: string) {
      const described = [errors[slot] ? errorId(slot) : null, hint].filter(Boolean).join(" ");
      return { "aria-invalid": errors[slot] ? (true as const) : undefined, "aria-describedby": described || undefined };
    },
    /** A group's aria-describedby: a group cannot be invalid in ARIA; its message describes it. */
    described: (slot: Slot) => ({ "aria-describedby": errors[slot] ? errorId(slot) : undefined }),
    message: (slot: Slot): ReactNode => <FieldError id={errorId(slot)} message={errors[slot]} />,
    /** The message about the request as a whole. */
    formMessage: (): ReactNode =>
      errors.form && (
        <p className="admin-hint admin-hint--warn" role="alert">
          {errors.form}
        </p>
      ),
  };
}

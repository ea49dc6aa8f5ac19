import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";

// findBy* waits up to 1 s by default; a loaded CI machine can take longer to render.
configure({ asyncUtilTimeout: 5000 });

// jsdom has no 2D context and logs "not implemented" for getContext; the components paint
// nothing without one, which is all a DOM test needs.
HTMLCanvasElement.prototype.getContext = vi.fn(() => null) as unknown as HTMLCanvasElement["getContext"];

afterEach(() => {
  cleanup();
  localStorage.clear();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeClassifier, guessOf } from "../inference/fake";
import { drawStroke } from "../test/pointer";
import ImplementorPage from "./ImplementorPage";
import { API_KEY_STORAGE } from "./useApiKey";

const KEY = "csk_portalKey0123456789";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const answer = { shape: "circle", confidence: 0.9, allPredictions: [{ shape: "circle", confidence: 0.9 }], inferenceTimeMs: 2, modelVersion: 3 };

/** A server that requires a key: classify answers 401 without `Bearer <KEY>`. */
function stubServer() {
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    if (url === "/api/inference/model/info") {
      return json(200, { id: "m", version: 3, accuracy: 0.9, loadedAt: "2025-01-01T00:00:00Z", classes: ["circle", "square"] });
    }
    if (url === "/api/inference/classify") {
      return new Headers(init.headers).get("Authorization") === `Bearer ${KEY}`
        ? json(200, answer)
        : json(401, { error: "API_KEY_REQUIRED", message: "This API needs a key: send Authorization: Bearer <key>", requestId: "r" });
    }
    return json(200, []);
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

const classifyCalls = (fetchMock: ReturnType<typeof stubServer>) =>
  fetchMock.mock.calls.filter(([url]) => url === "/api/inference/classify").map(([, init]) => new Headers(init?.headers));

async function drawAndClassify() {
  drawStroke(screen.getByLabelText("Drawing canvas"), [[10, 10], [60, 10], [60, 60]]);
  await userEvent.click(screen.getByRole("button", { name: "Classify" }));
}

afterEach(() => sessionStorage.clear());

describe("ImplementorPage, where the server requires an API key", () => {
  it("asks for a key after a 401 API_KEY_REQUIRED and sends it with the next classify", async () => {
    const fetchMock = stubServer();
    render(<ImplementorPage openClassifier={async () => new FakeClassifier([])} />);
    expect(await screen.findByText("Model v3")).toBeInTheDocument();
    expect(screen.queryByLabelText("API key")).not.toBeInTheDocument();
    await drawAndClassify();

    expect(await screen.findByRole("alert")).toHaveTextContent("This server needs an API key to classify");
    const field = await screen.findByLabelText("API key");
    expect(field).toHaveAttribute("type", "password");
    expect(field).toHaveFocus();
    expect(classifyCalls(fetchMock)[0].has("Authorization")).toBe(false);

    await userEvent.type(field, KEY);
    await userEvent.click(screen.getByRole("button", { name: "Classify" }));
    expect(await screen.findByRole("region", { name: "Prediction" })).toHaveTextContent("on the server");
    expect(classifyCalls(fetchMock).at(-1)?.get("Authorization")).toBe(`Bearer ${KEY}`);
    expect(sessionStorage.getItem(API_KEY_STORAGE)).toBe(KEY);
    expect(localStorage.length).toBe(0);
  });

  it("uses the key this tab holds from the start, and none in the browser", async () => {
    sessionStorage.setItem(API_KEY_STORAGE, KEY);
    const fetchMock = stubServer();
    const model = new FakeClassifier([guessOf("circle", 0.8)]);
    render(<ImplementorPage openClassifier={async () => model} />);
    expect(await screen.findByLabelText("API key")).toHaveValue(KEY);
    await drawAndClassify();
    expect(await screen.findByRole("region", { name: "Prediction" })).toHaveTextContent("on the server");
    expect(classifyCalls(fetchMock)).toHaveLength(1);

    await userEvent.click(screen.getByRole("switch", { name: "Run in the browser" }));
    expect(await screen.findByRole("status", { name: "Browser model" })).toHaveTextContent("runs in your browser");
    expect(screen.queryByLabelText("API key")).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Classify" }));
    await waitFor(() => expect(model.asked).toHaveLength(1));
    expect(classifyCalls(fetchMock)).toHaveLength(1);
  });

  it("explains keys and shows the header in its examples", async () => {
    stubServer();
    render(<ImplementorPage openClassifier={async () => new FakeClassifier([])} />);
    await userEvent.click(screen.getByText("Call it yourself"));
    const panel = screen.getByText("Call it yourself").closest("details")!;
    expect(panel).toHaveTextContent("An admin of this server makes a key under Admin → API keys");
    expect(screen.getByText("Authorization: Bearer csk_…")).toBeInTheDocument();
    expect(screen.getByText(/-H "Authorization: Bearer \$CROWDSKETCH_API_KEY"/)).toBeInTheDocument();
    expect(screen.getByText(/headers: \{ Authorization: `Bearer \$\{API_KEY\}`/)).toBeInTheDocument();
    expect(screen.getByText(/RATE_LIMITED/, { selector: "code" })).toBeInTheDocument();
  });
});

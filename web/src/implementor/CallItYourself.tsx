import { browserExample, curlExample } from "./apiExamples";

/** "Call it yourself": the HTTP API, API keys and their limits, and the model in a browser. */
export function CallItYourself({ origin }: { origin: string }) {
  return (
    <details className="implementor__api">
      <summary>Call it yourself</summary>
      <p>
        <code>POST /api/inference/classify</code> answers <code>{"{shape, confidence, allPredictions, inferenceTimeMs, modelVersion}"}</code>.
        The full schema is at <a href="/docs">/docs</a>.
      </p>
      <h2 className="implementor__api-heading">API keys</h2>
      <ul>
        <li>
          An admin of this server makes a key under <strong>Admin → API keys</strong> and gives it to you; it is shown
          once, when made.
        </li>
        <li>
          Send it with every call to classify (and to give feedback) as <code>Authorization: Bearer csk_…</code>.
        </li>
        <li>
          The operator chooses whether a key is needed. Where it is required, a call without one is refused with 401{" "}
          <code>API_KEY_REQUIRED</code>; where it is optional, a call without one is served. A wrong or revoked key is
          always refused: 401 <code>API_KEY_INVALID</code>.
        </li>
        <li>
          A key may be limited to so many requests a minute and a month. Answers carry <code>RateLimit-Limit</code>,{" "}
          <code>RateLimit-Remaining</code> and <code>RateLimit-Reset</code>; past a limit the answer is 429{" "}
          <code>RATE_LIMITED</code> or <code>QUOTA_EXCEEDED</code>, with <code>Retry-After</code> saying how many seconds
          to wait.
        </li>
        <li>
          A web page may call with a key only from the origins the key allows (CORS). Keep keys out of public code
          where you can: call from your server instead.
        </li>
      </ul>
      <pre tabIndex={0}>{curlExample(origin)}</pre>
      <p>
        The same model runs in a browser with <code>onnxruntime-web</code> (npm), with no key:{" "}
        <code>GET /api/inference/model/card</code> gives its classes, preprocessing and input, and{" "}
        <code>GET /api/inference/model?version=N</code> its ONNX file. A card with <code>path</code> also takes the
        pen&apos;s path as a second input (see <code>web/src/inference/penPath.ts</code>).
      </p>
      {/* Focusable: its long lines scroll sideways, and a keyboard must reach them. */}
      <pre tabIndex={0}>{browserExample(origin)}</pre>
    </details>
  );
}

// The snippets in "Call it yourself": the HTTP API with a key, and the same model run in a
// browser (its card and ONNX file need no key).

export const curlExample = (origin: string) => `export CROWDSKETCH_API_KEY=csk_…   # yours, from Admin → API keys
curl -X POST ${origin}/api/inference/classify \\
  -H "Authorization: Bearer $CROWDSKETCH_API_KEY" \\
  -H 'Content-Type: application/json' \\
  -d '{"strokeData": {"canvas": {"width": 400, "height": 400},
       "strokes": [[[120, 80, 0], [200, 90, 16]]],
       "duration_ms": 16, "device": "mouse"}}'`;

export const browserExample = (origin: string) => `import * as ort from "onnxruntime-web";

// The card and the ONNX file need no key: the model runs on the caller's device.
const card = await (await fetch("${origin}/api/inference/model/card")).json();
const file = await fetch(\`${origin}/api/inference/model?version=\${card.version}\`);
const session = await ort.InferenceSession.create(new Uint8Array(await file.arrayBuffer()));

// image: a Float32Array of size × size, the strokes rasterized as card.preprocessing says
// (crowdsketch/raster.py; this app's port is web/src/inference/raster.ts).
const { size } = card.preprocessing;
const input = new ort.Tensor("float32", image, [1, 1, size, size]);
// A card with \`path\` also takes the pen's path: { [card.pathInputName]: (1, 5, card.path.points) }
// (crowdsketch/pen_path.py; this app's port is web/src/inference/penPath.ts).
const logits = Array.from((await session.run({ [card.inputName]: input }))[card.output].data);
const exp = logits.map((x) => Math.exp(x - Math.max(...logits)));
const best = exp.indexOf(Math.max(...exp));
console.log(card.classes[best], exp[best] / exp.reduce((a, b) => a + b)); // softmax

// Or let the server classify, from a page on an origin the key allows:
const answer = await fetch("${origin}/api/inference/classify", {
  method: "POST",
  headers: { Authorization: \`Bearer \${API_KEY}\`, "Content-Type": "application/json" },
  body: JSON.stringify({ strokeData }),
});`;

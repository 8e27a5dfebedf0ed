// The pixels explainer on onnxruntime-node: what README's "Other hosts" shows, as tested code.
//   node explain_node.mjs explainer.onnx image.rgba HEIGHT WIDTH K out.json
// image.rgba: the decoded pixels, uint8 RGBA, row by row. Writes out.json (classes, scores,
// probabilities, seconds) and out.json.f32 (the K maps, float32 [K, H, W]).
import * as ort from 'onnxruntime-node';
import { readFileSync, writeFileSync } from 'node:fs';

const [model, pixels, height, width, k, out] = process.argv.slice(2);
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 2 });
const start = performance.now();
const result = await session.run({
  image_rgba: new ort.Tensor('uint8', readFileSync(pixels), [Number(height), Number(width), 4]),
  k: new ort.Tensor('int64', BigInt64Array.from([BigInt(k)]), [1]),
});
const seconds = (performance.now() - start) / 1000;
writeFileSync(out, JSON.stringify({
  classes: Array.from(result.top_classes.data, Number),
  scores: Array.from(result.top_scores.data),
  probabilities: Array.from(result.top_probabilities.data),
  mapShape: result.saliency.dims,
  seconds,
}));
writeFileSync(`${out}.f32`, result.saliency.data);

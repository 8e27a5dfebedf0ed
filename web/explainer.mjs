// The explainer file on ONNX Runtime Web: load it (with its card from the metadata), run it on a
// canvas's RGBA pixels, and return the classes with names, probabilities, maps and boxes.
// WebAssembly with threads where the page is cross-origin isolated, one thread otherwise.
import * as ort from './vendor/ort.wasm.min.mjs';
import { readMetadata } from './metadata.mjs';
import { massBox, settingsForRule } from './massbox.mjs';

ort.env.wasm.wasmPaths = new URL('./vendor/', import.meta.url).href;
// Threads need SharedArrayBuffer, which only a cross-origin isolated page has (web/serve.mjs).
ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;

export const TOP = 5;

/** A session for an explainer file's bytes; throws one line when the file is not a pixels explainer. */
export async function loadExplainer(buffer, fileName) {
  let metadata;
  try { metadata = readMetadata(buffer); } catch (error) { throw new Error(`${fileName}: ${error.message}`); }
  const card = metadata.has('pipeline.card') ? JSON.parse(metadata.get('pipeline.card')) : null;
  if (!card) throw new Error(`${fileName}: no model card in the file (not made by Pipeline export-explainer)`);
  let session;
  try { session = await ort.InferenceSession.create(new Uint8Array(buffer), { executionProviders: ['wasm'] }); }
  catch (error) { throw new Error(`${fileName}: ONNX Runtime Web cannot load it (${String(error.message ?? error).split('\n')[0]})`); }
  if (!session.inputNames.includes('image_rgba'))
    throw new Error(`${fileName}: takes ${session.inputNames.join(', ')}, not image_rgba: export it with --input pixels`);
  return {
    session, card, fileName,
    rule: metadata.get('gradient.rule') ?? 'gradient',
    crops: metadata.get('explainer.crops') ?? '?',
    threads: ort.env.wasm.numThreads,
  };
}

/** Runs the explainer on RGBA pixels (ImageData): the top classes, best first, each with its map and box. */
export async function explain(explainer, image) {
  const { width, height, data } = image;
  const start = performance.now();
  const outputs = await explainer.session.run({
    image_rgba: new ort.Tensor('uint8', new Uint8Array(data.buffer, data.byteOffset, data.byteLength), [height, width, 4]),
    k: new ort.Tensor('int64', BigInt64Array.from([BigInt(TOP)]), [1]),
  });
  const modelSeconds = (performance.now() - start) / 1000;
  const indices = Array.from(outputs.top_classes.data, Number);
  const maps = outputs.saliency.data;
  const settings = settingsForRule(explainer.rule);
  const classes = indices.map((index, rank) => {
    const map = maps.subarray(rank * width * height, (rank + 1) * width * height);
    const entry = explainer.card.classes[index] ?? { wnid: `class ${index}`, name: `class ${index}` };
    return {
      index, wnid: entry.wnid, name: entry.name,
      probability: outputs.top_probabilities.data[rank], score: outputs.top_scores.data[rank],
      map, box: massBox(map, width, height, settings),
    };
  });
  return { width, height, classes, modelSeconds, seconds: (performance.now() - start) / 1000 };
}

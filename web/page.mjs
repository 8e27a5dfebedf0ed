// The page: picks the explainer and the image, shows the top classes with their overlays and boxes.
import { explain, loadExplainer } from './explainer.mjs';

// The graph cannot refuse a size, so the page does (WebAssembly has at most 4 GB).
const MAX_PIXELS = 16_000_000;

const $ = id => document.getElementById(id);
let explainer = null;
let shown = null; // { bitmap, result, overlays }
const state = { last: null, runs: 0 };
window.pipeline = state; // read by tests/web/browser_test.mjs

function status(text, kind) {
  $('status').textContent = text;
  $('status').dataset.state = kind;
}

async function useModel(buffer, name) {
  explainer = null;
  state.loaded = false;
  $('model-status').textContent = `Loading ${name}…`;
  try {
    explainer = await loadExplainer(buffer, name);
    state.loaded = true;
    $('model-status').textContent = `${name}: ${explainer.card.name}, ${explainer.crops} crop(s), ${explainer.rule} maps; ` +
      `WebAssembly, ${explainer.threads} thread(s)${crossOriginIsolated ? '' : ' (page not cross-origin isolated)'}`;
  } catch (error) {
    $('model-status').textContent = error.message;
    status(error.message, 'error');
  }
}

/** RGBA pixels as a canvas gives them, decoded without colour management (as run decodes). */
async function decode(blob, name) {
  let bitmap;
  try { bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' }); }
  catch { throw new Error(`${name}: not an image this browser can decode`); }
  if (bitmap.width * bitmap.height > MAX_PIXELS)
    throw new Error(`${name}: ${bitmap.width}x${bitmap.height} is ${bitmap.width * bitmap.height} pixels, above the page's limit of ${MAX_PIXELS}`);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  return { bitmap, pixels: context.getImageData(0, 0, bitmap.width, bitmap.height, { colorSpace: 'srgb' }) };
}

async function useImage(blob, name) {
  if (!explainer) { status('Load an explainer first (Pipeline export-explainer --input pixels).', 'error'); return; }
  status(`Explaining ${name}…`, 'running');
  try {
    const { bitmap, pixels } = await decode(blob, name);
    const result = await explain(explainer, pixels);
    shown = { bitmap, result, overlays: result.classes.map(c => colour(c.map, result.width, result.height)) };
    draw();
    state.last = { name, ...result };
    state.runs++;
    status(`${name} (${result.width}x${result.height}): ${result.seconds.toFixed(2)} s ` +
      `(model ${result.modelSeconds.toFixed(2)} s, boxes ${(result.seconds - result.modelSeconds).toFixed(2)} s)`, 'done');
  } catch (error) {
    status(error.message, 'error');
  }
}

/** OpenCV's JET colours of a map scaled to its 99th percentile (as run's overlays), as a canvas. */
function colour(map, width, height) {
  const sample = [];
  const step = Math.max(1, Math.floor(map.length / 100_000));
  for (let i = 0; i < map.length; i += step) sample.push(map[i]);
  sample.sort((a, b) => a - b);
  const top = sample[Math.floor(0.99 * (sample.length - 1))] || 1;
  const image = new ImageData(width, height);
  const clamp = v => Math.max(0, Math.min(1, v)) * 255;
  for (let i = 0; i < map.length; i++) {
    const v = Math.min(1, map[i] / top);
    image.data[4 * i] = clamp(1.5 - Math.abs(4 * v - 3));
    image.data[4 * i + 1] = clamp(1.5 - Math.abs(4 * v - 2));
    image.data[4 * i + 2] = clamp(1.5 - Math.abs(4 * v - 1));
    image.data[4 * i + 3] = 255;
  }
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d').putImageData(image, 0, 0);
  return canvas;
}

function draw() {
  if (!shown) return;
  const { bitmap, result, overlays } = shown;
  const opacity = Number($('opacity').value);
  $('results').replaceChildren(...result.classes.map((c, rank) => {
    const canvas = document.createElement('canvas');
    canvas.width = result.width;
    canvas.height = result.height;
    const context = canvas.getContext('2d');
    context.drawImage(bitmap, 0, 0);
    context.globalAlpha = opacity;
    context.drawImage(overlays[rank], 0, 0);
    context.globalAlpha = 1;
    context.strokeStyle = 'white';
    context.lineWidth = Math.max(2, Math.round(Math.min(result.width, result.height) / 150));
    context.strokeRect(c.box.xmin, c.box.ymin, c.box.xmax - c.box.xmin + 1, c.box.ymax - c.box.ymin + 1);
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.innerHTML = `${rank + 1}. <span class="p"></span> <span class="name"></span> <small></small>`;
    caption.querySelector('.p').textContent = `${(100 * c.probability).toFixed(1)}%`;
    caption.querySelector('.name').textContent = c.name;
    caption.querySelector('small').textContent = `${c.wnid}, box ${c.box.xmin},${c.box.ymin},${c.box.xmax},${c.box.ymax}`;
    figure.append(canvas, caption);
    return figure;
  }));
}

async function demoPhotos() {
  let names = [];
  try {
    const response = await fetch('photos/');
    if (response.ok && response.headers.get('Content-Type')?.includes('json')) names = await response.json();
  } catch { names = []; }
  $('demo-photos').replaceChildren(...names.map(name => {
    const button = document.createElement('button');
    button.textContent = name;
    button.dataset.photo = name;
    button.onclick = async () => useImage(await (await fetch(`photos/${encodeURIComponent(name)}`)).blob(), name);
    return button;
  }));
}

$('model-file').onchange = async e => { const f = e.target.files[0]; if (f) await useModel(await f.arrayBuffer(), f.name); };
$('image-file').onchange = e => { const f = e.target.files[0]; if (f) useImage(f, f.name); };
$('opacity').oninput = draw;
const drop = $('drop');
drop.ondragover = e => { e.preventDefault(); drop.classList.add('over'); };
drop.ondragleave = () => drop.classList.remove('over');
drop.ondrop = e => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer.files[0];
  if (f) useImage(f, f.name);
};

state.ready = (async () => {
  demoPhotos();
  const response = await fetch('explainer.onnx').catch(() => null);
  if (response?.ok) await useModel(await response.arrayBuffer(), 'explainer.onnx');
  else $('model-status').textContent = 'No explainer.onnx beside the page: choose one (Pipeline export-explainer --input pixels).';
})();

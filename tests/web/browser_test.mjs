// The page in Debian's headless Chromium (playwright-core drives /usr/bin/chromium; nothing downloads
// a browser): serves web/ with web/serve.mjs, explains the given photos by clicking their demo
// buttons, and writes what the page shows for tests/Pipeline.Tests/WebTests.cs to check.
//   node browser_test.mjs explainer.onnx PHOTO_DIR photo1,photo2,... OUT_DIR
// OUT_DIR gets results.json (per photo: classes, probabilities, boxes, seconds; the page's
// isolation and threads; a bad file's message), PHOTO.f32 (the top-1 map, float32 [H, W]) and page.png.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [model, photoDir, photoList, out] = process.argv.slice(2);
const serve = fileURLToPath(new URL('../../web/serve.mjs', import.meta.url));
const server = spawn(process.execPath, [serve, '--port', '0', '--model', model, '--photos', photoDir], { stdio: ['ignore', 'pipe', 'inherit'] });
const address = await new Promise((resolve, reject) => {
  server.stdout.once('data', data => resolve(String(data).trim()));
  server.once('exit', code => reject(new Error(`serve.mjs exited with ${code}`)));
});

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1420, height: 480 } });
  const console_ = [];
  page.on('console', m => console_.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', e => console_.push(`pageerror: ${e.message}`));
  await page.goto(address);
  await page.waitForFunction(() => window.pipeline?.ready);
  await page.evaluate(() => window.pipeline.ready);
  const results = {
    crossOriginIsolated: await page.evaluate(() => crossOriginIsolated),
    modelStatus: await page.textContent('#model-status'),
    photos: [],
  };
  if (!(await page.evaluate(() => window.pipeline.loaded)))
    throw new Error(`the page did not load the explainer: ${results.modelStatus} ${console_.join(' | ')}`);

  /** Clicks (or picks a file) and waits for the page's next result or error. */
  async function explainWith(action) {
    const before = await page.evaluate(() => window.pipeline.runs);
    await action();
    await page.waitForFunction(n => window.pipeline.runs > n || document.getElementById('status').dataset.state === 'error', before, { timeout: 120_000 });
    return page.evaluate(() => ({ state: document.getElementById('status').dataset.state, text: document.getElementById('status').textContent }));
  }

  for (const name of photoList.split(',')) {
    const shown = await explainWith(() => page.click(`button[data-photo="${name}"]`));
    if (shown.state !== 'done') throw new Error(`${name}: the page says ${shown.text}`);
    const last = await page.evaluate(() => {
      const l = window.pipeline.last;
      const bytes = new Uint8Array(l.classes[0].map.buffer, l.classes[0].map.byteOffset, l.classes[0].map.byteLength);
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return {
        name: l.name, width: l.width, height: l.height, seconds: l.seconds, modelSeconds: l.modelSeconds,
        classes: l.classes.map(c => ({ index: c.index, wnid: c.wnid, name: c.name, probability: c.probability, score: c.score, box: c.box })),
        top1Map: btoa(binary),
      };
    });
    writeFileSync(join(out, `${name}.f32`), Buffer.from(last.top1Map, 'base64'));
    delete last.top1Map;
    last.status = shown.text;
    results.photos.push(last);
  }
  // The overlays at the slider's other end, then the screenshot with the last photo's classes.
  await page.fill('#opacity', '0.6');
  await page.dispatchEvent('#opacity', 'input');
  await page.screenshot({ path: join(out, 'page.png'), fullPage: true });

  // A file that is not an image: one line naming it, and the page keeps working.
  const bad = await explainWith(() => page.setInputFiles('#image-file', { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a picture') }));
  results.badFile = bad;

  // A model file that is not ONNX: one line naming it.
  await page.setInputFiles('#model-file', { name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model') });
  await page.waitForFunction(() => !document.getElementById('model-status').textContent.startsWith('Loading'));
  results.badModel = await page.textContent('#model-status');
  results.console = console_;

  // The same page from a plain server (the isolation headers taken off): one thread, same classes.
  const plain = await browser.newPage();
  await plain.route('**/*', async route => {
    const response = await route.fetch();
    const headers = response.headers();
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  await plain.goto(address);
  await plain.evaluate(() => window.pipeline.ready);
  const first = photoList.split(',')[0];
  await plain.click(`button[data-photo="${first}"]`);
  await plain.waitForFunction(() => window.pipeline.runs > 0 || document.getElementById('status').dataset.state === 'error', null, { timeout: 120_000 });
  results.plain = await plain.evaluate(() => ({
    crossOriginIsolated, modelStatus: document.getElementById('model-status').textContent,
    status: document.getElementById('status').textContent,
    wnids: window.pipeline.last?.classes.map(c => c.wnid) ?? [],
  }));
  writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 1));
} finally {
  await browser.close();
  server.kill();
}

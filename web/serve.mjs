// Serves web/ on 127.0.0.1 with the two headers that make the page cross-origin isolated, so
// ONNX Runtime Web may use WebAssembly threads (SharedArrayBuffer). No framework: node's http only.
//
//   node web/serve.mjs [--port 8000] [--model explainer.onnx] [--photos DIR]
//
// --model is served as /explainer.onnx (default: web/explainer.onnx), --photos as /photos/
// (default: ../shared/data/photos beside the repository, if there); /photos/ lists its images as JSON.
// Port 0 picks a free port. The first line on stdout is the page's address.
import { createServer } from 'node:http';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = dirname(fileURLToPath(import.meta.url));
const options = { port: '8000', model: join(web, 'explainer.onnx'), photos: resolve(web, '..', '..', 'shared', 'data', 'photos') };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const name = args[i].replace(/^--/, '');
  if (!(name in options) || args[i + 1] === undefined) {
    console.error(`serve.mjs: unknown option or missing value: ${args[i]} (use --port N, --model FILE, --photos DIR)`);
    process.exit(2);
  }
  options[name] = args[i + 1];
}

const types = {
  '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.onnx': 'application/octet-stream', '.json': 'application/json',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.bmp': 'image/bmp', '.webp': 'image/webp',
};
const imageTypes = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp']);

/** The file a URL path names, or null: only files under root (no "..", no folders). */
function inside(root, path) {
  const file = normalize(join(root, decodeURIComponent(path)));
  if (file !== root && !file.startsWith(root + sep)) return null;
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

function route(path) {
  if (path === '/') path = '/index.html';
  if (path === '/explainer.onnx') return existsSync(options.model) ? options.model : null;
  if (path.startsWith('/photos/')) return inside(resolve(options.photos), path.slice('/photos/'.length));
  return inside(web, path);
}

const server = createServer((request, response) => {
  // Cross-origin isolation: SharedArrayBuffer, so WebAssembly threads.
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  const path = new URL(request.url, 'http://localhost').pathname;
  if (path === '/photos/') {
    const list = existsSync(options.photos) ? readdirSync(options.photos).filter(f => imageTypes.has(extname(f).toLowerCase())).sort() : [];
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(list));
    return;
  }
  let file = null;
  try { file = route(path); } catch { file = null; }
  if (!file || request.method !== 'GET') {
    response.writeHead(file ? 405 : 404, { 'Content-Type': 'text/plain' });
    response.end(file ? 'GET only\n' : 'not found\n');
    return;
  }
  response.writeHead(200, { 'Content-Type': types[extname(file).toLowerCase()] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
});
server.on('error', error => { console.error(`serve.mjs: ${error.message}`); process.exit(1); });
server.listen(Number(options.port), '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}/`));

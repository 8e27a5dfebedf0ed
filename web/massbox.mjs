// run's default box (mass-box, src/Pipeline/Localisation/MassBoxLocaliser.cs) on one map: the map
// smoothed by a Gaussian as OpenCV's GaussianBlur does it for float maps, summed along rows and
// columns (above its floor, raised to a power), each side where the cumulative mass passes the tail.

/** The mass-box settings run uses for a backward rule (LocalisationOptions.ForRule). */
export function settingsForRule(rule) {
  return rule === 'guided' || rule === 'deconvnet'
    ? { smoothing: 0.05, power: 1, tail: 0.05 }
    : { smoothing: 0.02, power: 2, tail: 0.05 };
}

/** OpenCV's Gaussian kernel for a float image: size round(8 sigma + 1), made odd, normalised. */
function kernel(sigma) {
  const size = Math.round(sigma * 8 + 1) | 1, half = (size - 1) / 2, k = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) sum += k[i] = Math.exp(-((i - half) ** 2) / (2 * sigma * sigma));
  return k.map(v => v / sum);
}

/** OpenCV's default border (BORDER_REFLECT_101): ...2 1 | 0 1 2 ... n-1 | n-2 ... */
function reflect(i, n) {
  if (n === 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
}

/** Blurs count lines of length values (line l, item i at l * across + i * along), each copied with its border first. */
function blurLines(from, to, count, length, across, along, k) {
  const half = (k.length - 1) / 2, padded = new Float64Array(length + 2 * half);
  for (let line = 0; line < count; line++) {
    const base = line * across;
    for (let i = 0; i < padded.length; i++) padded[i] = from[base + reflect(i - half, length) * along];
    for (let i = 0; i < length; i++) {
      let sum = 0;
      for (let j = 0; j < k.length; j++) sum += k[j] * padded[i + j];
      to[base + i * along] = sum;
    }
  }
}

/** Separable blur of a row-major width x height map: along rows, then along columns. */
function smooth(map, width, height, sigma) {
  const k = kernel(sigma), rows = new Float64Array(width * height), out = new Float64Array(width * height);
  blurLines(map, rows, height, width, width, 1, k);
  blurLines(rows, out, width, height, 1, width, k);
  return out;
}

/** First index where the cumulative share passes tail, last index before it passes 1 - tail. */
function span(mass, tail) {
  let total = 0, running = 0, begin = 0, end = mass.length - 1;
  for (const m of mass) total += m;
  for (let i = 0; i < mass.length; i++) {
    running += mass[i];
    if (running / total <= tail) begin = i + 1;
    if (running / total < 1 - tail) end = i + 1;
  }
  begin = Math.min(begin, mass.length - 1);
  return [begin, Math.min(Math.max(end, begin), mass.length - 1)];
}

/** The box { xmin, ymin, xmax, ymax } (inclusive pixel indices) of one map; a flat map gives the whole image. */
export function massBox(map, width, height, { smoothing, power, tail }) {
  const smoothed = smoothing > 0 ? smooth(map, width, height, Math.max(0.5, smoothing * Math.min(width, height))) : map;
  let min = Infinity, max = -Infinity;
  for (const v of smoothed) { if (v < min) min = v; if (v > max) max = v; }
  if (!(max > min)) return { xmin: 0, ymin: 0, xmax: width - 1, ymax: height - 1, flat: true };
  const columns = new Float64Array(width), rows = new Float64Array(height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const v = Math.pow(smoothed[y * width + x] - min, power);
      columns[x] += v;
      rows[y] += v;
    }
  const [xmin, xmax] = span(columns, tail), [ymin, ymax] = span(rows, tail);
  return { xmin, ymin, xmax, ymax };
}

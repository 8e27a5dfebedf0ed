# Exploration: the smallest box that holds a given share of the smoothed map's mass (searched on a 64-cell
# grid, then mapped to the working size), in place of the mass box's per-side quantiles; top-5 localisation
# error on the tune images with guided maps.
#   /usr/bin/python3 scripts/explore/densest.py MODEL [LIMIT]
import os, sys, time
import numpy as np
from maps_lib import *

model = sys.argv[1] if len(sys.argv) > 1 else "mobilenet_v2"
limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
cache = os.path.join(ROOT, "out", f"tune-cache-{model}-guided")
GRID = 64


def densest_box(m, share, sigma=0.05):
    h, w = m.shape
    s = smooth(m.astype(np.float32), sigma)
    s = s - s.min()
    if s.max() <= 0: return (0, 0, w - 1, h - 1)
    g = cv2.resize(s, (GRID, GRID), interpolation=cv2.INTER_AREA).astype(np.float64)
    g /= g.sum()
    # integral over rows of column sums: for each column range [x0, x1], the row profile; two pointers over rows.
    cols = np.concatenate([np.zeros((GRID, 1)), np.cumsum(g, 1)], 1)  # [row, x] prefix over columns
    best = (GRID * GRID + 1, (0, 0, GRID - 1, GRID - 1))
    for x0 in range(GRID):
        for x1 in range(x0, GRID):
            width = x1 - x0 + 1
            if width * 1 >= best[0]: break
            prof = cols[:, x1 + 1] - cols[:, x0]
            if prof.sum() < share: continue
            c = np.concatenate([[0], np.cumsum(prof)])
            # for each y0 the first y1 with mass >= share
            y1 = np.searchsorted(c, c[:-1] + share - 1e-12, side="left") - 1
            ok = y1 < GRID
            if not ok.any(): continue
            heights = np.where(ok, y1 - np.arange(GRID) + 1, GRID + 1)
            y0 = int(np.argmin(heights))
            area = width * heights[y0]
            if area < best[0]: best = (area, (x0, y0, x1, int(y1[y0])))
    x0, y0, x1, y1 = best[1]
    return (int(x0 * w / GRID), int(y0 * h / GRID), min(w - 1, int((x1 + 1) * w / GRID) - 1), min(h - 1, int((y1 + 1) * h / GRID) - 1))


shares = (0.7, 0.8, 0.85, 0.9)
names = ["mass box"] + [f"densest {s}" for s in shares]
gt, ids = truth(), wnids()
files = images()[:limit] if limit else images()
wrong = {n: 0 for n in names}
t0 = time.time()
for path, image_id, (w, h), (ww, wh), truths in each_image(files, gt):
    cl, _, maps = load(cache_file(cache, path))
    ms = [maps[k].reshape(wh, ww) for k in range(5)]
    results = {"mass box": [mass_box(m, 0.05, 1) for m in ms]}
    for s in shares: results[f"densest {s}"] = [densest_box(m, s) for m in ms]
    for n in names: wrong[n] += not top5_hit(cl, results[n], ids, (ww, wh), (w, h), truths)
print(f"{model}: n={len(files)}, {time.time() - t0:.0f} s")
for n in names:
    print(f"| {n} | {wilson(wrong[n], len(files))} |")

# Exploration: the mass box of the guided map restricted to one connected region of its smoothed map
# above a threshold (the region holding the most mass), so that several instances of a class do not
# get one box around all of them; top-5 localisation error on the tune images.
#   /usr/bin/python3 scripts/explore/components.py MODEL [LIMIT]
import os, sys, time
import numpy as np
from maps_lib import *

model = sys.argv[1] if len(sys.argv) > 1 else "mobilenet_v2"
limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
cache = os.path.join(ROOT, "out", f"tune-cache-{model}-guided")


def region_mass_box(m, sigma, threshold, tail=0.05, dilate=0.0):
    h, w = m.shape
    s = smooth(m.astype(np.float32), sigma)
    lo, hi = s.min(), s.max()
    if hi <= lo: return (0, 0, w - 1, h - 1)
    v = (s - lo) / (hi - lo)
    mask = (v >= threshold).astype(np.uint8)
    count, labels = cv2.connectedComponents(mask, connectivity=8)
    if count > 2:
        masses = np.bincount(labels.ravel(), weights=v.ravel(), minlength=count)
        masses[0] = 0
        keep = (labels == int(np.argmax(masses))).astype(np.uint8)
        if dilate > 0:
            r = max(1, int(round(dilate * min(w, h))))
            keep = cv2.dilate(keep, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
        v = v * keep
    x0, x1 = span(v.sum(0), tail)
    y0, y1 = span(v.sum(1), tail)
    return (x0, y0, x1, y1)


V = {"guided mass box": lambda m: mass_box(m, 0.05, 1)}
for t in (0.05, 0.1, 0.15, 0.2, 0.3, 0.4):
    V[f"region t{t}"] = (lambda t: lambda m: region_mass_box(m, 0.05, t))(t)
    V[f"region t{t} dilated 5%"] = (lambda t: lambda m: region_mass_box(m, 0.05, t, dilate=0.05))(t)
names = list(V)
gt = truth()
ids = wnids()
files = images()[:limit] if limit else images()
wrong = {n: 0 for n in names}
t0 = time.time()
for path, image_id, (w, h), (ww, wh), truths in each_image(files, gt):
    cl, _, maps = load(cache_file(cache, path))
    for n in names:
        boxes = [V[n](maps[k].reshape(wh, ww)) for k in range(5)]
        ok = top5_hit(cl, boxes, ids, (ww, wh), (w, h), truths)
        wrong[n] += not ok
print(f"{model}: n={len(files)}, {time.time() - t0:.0f} s")
for n in sorted(names, key=lambda n: wrong[n]):
    print(f"| {n} | {wilson(wrong[n], len(files))} |")

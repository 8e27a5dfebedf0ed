# Exploration: class-contrastive maps: each class's smoothed, scaled guided (or gradient) map minus a share
# of the mean of the other top-5 classes' maps, clipped at zero, as the mass box's map; top-5 localisation
# error on the tune images.
#   /usr/bin/python3 scripts/explore/contrast.py MODEL RULE [LIMIT]
import os, sys, time
import numpy as np
from maps_lib import *

model = sys.argv[1] if len(sys.argv) > 1 else "mobilenet_v2"
rule = sys.argv[2] if len(sys.argv) > 2 else "guided"
limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
cache = os.path.join(ROOT, "out", f"tune-cache-{model}-{rule}")
sigma, power = (0.05, 1) if rule == "guided" else (0.02, 2)


def norm(m):
    lo, hi = m.min(), m.max()
    return (m - lo) / (hi - lo) if hi > lo else np.zeros_like(m)


shares = (0, 0.25, 0.5, 0.75, 1.0)
names = [f"minus {a} x others" for a in shares]
gt, ids = truth(), wnids()
files = images()[:limit] if limit else images()
wrong = {n: 0 for n in names}
t0 = time.time()
for path in files:
    image_id = os.path.basename(path).split(".")[0]
    h, w = cv2.imread(path, cv2.IMREAD_UNCHANGED).shape[:2]
    ww, wh = working(w, h)
    cl, _, maps = load(cache_file(cache, path))
    sm = [norm(smooth(maps[k].reshape(wh, ww).astype(np.float32), sigma)) for k in range(5)]
    truths = gt[image_id]
    for a, n in zip(shares, names):
        boxes = []
        for k in range(5):
            others = np.mean([sm[j] for j in range(5) if j != k], 0)
            m = np.maximum(sm[k] - a * others, 0)
            boxes.append(mass_box(np.ascontiguousarray(m, dtype=np.float32), 0.0, power))
        ok = any(ids[cl[k]] == wn and iou(rescale(boxes[k], ww, wh, w, h), tb) >= 0.5 for k in range(5) for wn, tb in truths)
        wrong[n] += not ok
print(f"{model} {rule}: n={len(files)}, {time.time() - t0:.0f} s")
for n in names:
    print(f"| {n} | {wilson(wrong[n], len(files))} |")

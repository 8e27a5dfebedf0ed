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


shares = (0, 0.25, 0.5, 0.75, 1.0)
names = [f"minus {a} x others" for a in shares]
gt, ids = truth(), wnids()
files = images()[:limit] if limit else images()
wrong = {n: 0 for n in names}
t0 = time.time()
for path, image_id, (w, h), (ww, wh), truths in each_image(files, gt):
    cl, _, maps = load(cache_file(cache, path))
    sm = [norm(smooth(maps[k].reshape(wh, ww).astype(np.float32), sigma)) for k in range(5)]
    for a, n in zip(shares, names):
        boxes = []
        for k in range(5):
            others = np.mean([sm[j] for j in range(5) if j != k], 0)
            m = np.maximum(sm[k] - a * others, 0)
            boxes.append(mass_box(np.ascontiguousarray(m, dtype=np.float32), 0.0, power))
        ok = top5_hit(cl, boxes, ids, (ww, wh), (w, h), truths)
        wrong[n] += not ok
print(f"{model} {rule}: n={len(files)}, {time.time() - t0:.0f} s")
for n in names:
    print(f"| {n} | {wilson(wrong[n], len(files))} |")

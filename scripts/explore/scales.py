# Exploration: guided maps from crops of images rescaled to other shorter sides (a card with another
# shorterSide, maps cached in out/tune-cache-MODEL-guided-sSIDE), alone and averaged with the default
# scale's (256); top-5 localisation error on the tune images, the classes of the default scale.
#   /usr/bin/python3 scripts/explore/scales.py MODEL SIDE[,SIDE...] [LIMIT]
import os, sys, time
import numpy as np
from maps_lib import *

model = sys.argv[1]
sides = sys.argv[2].split(",")
limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
out = os.path.join(ROOT, "out")
base = os.path.join(out, f"tune-cache-{model}-guided")
others = {s: os.path.join(out, f"tune-cache-{model}-guided-s{s}") for s in sides}


names = ["256"] + [f"mean 256+{'+'.join(sides)}"] + [f"mean 256+{s}" for s in sides] if len(sides) > 1 else ["256", f"mean 256+{sides[0]}"]
gt = truth()
ids = wnids()
files = images()[:limit] if limit else images()
wrong = {n: 0 for n in names}
missing = 0
t0 = time.time()
for path, image_id, (w, h), (ww, wh), truths in each_image(files, gt):
    cb, _, mb = load(cache_file(base, path))
    loaded = {s: load(cache_file(c, path)) for s, c in others.items()}
    boxes = {n: [] for n in names}
    for k in range(5):
        b = mb[k].reshape(wh, ww)
        extra = {}
        for s, (cl, _, ml) in loaded.items():
            if cb[k] in cl: extra[s] = ml[cl.index(cb[k])].reshape(wh, ww)
            else: missing += 1
        for n in names:
            use = [x for x in n.replace("mean ", "").split("+") if x != "256"]
            maps = [norm(smooth(b, 0.05))] + [norm(smooth(extra[s], 0.05)) for s in use if s in extra]
            boxes[n].append(mass_box(np.ascontiguousarray(np.mean(maps, 0), dtype=np.float32), 0.0, 1))
    for n in names:
        ok = top5_hit(cb, boxes[n], ids, (ww, wh), (w, h), truths)
        wrong[n] += not ok
print(f"{model}: n={len(files)}, {time.time() - t0:.0f} s, {missing} class maps missing at other scales")
for n in names:
    print(f"| {n} | {wilson(wrong[n], len(files))} |")

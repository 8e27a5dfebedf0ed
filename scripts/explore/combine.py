# Exploration: combinations of cached gradient and guided maps as mass-box cues, top-5 localisation
# error on the tune images (maps cached by `bash scripts/loc_table.sh tune MODEL:gradient MODEL:guided` in out/).
#   /usr/bin/python3 scripts/explore/combine.py MODEL [LIMIT [VARIANT;VARIANT...]]   (OTHER=deconvnet: deconvnet maps for g)
import os, sys, time
import numpy as np
from maps_lib import *

model = sys.argv[1] if len(sys.argv) > 1 else "mobilenet_v2"
limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
only = sys.argv[3].split(";") if len(sys.argv) > 3 else None
out = os.path.join(ROOT, "out")
# OTHER=deconvnet: the second cue is the deconvnet map (the variants still call it g)
caches = {"gradient": os.path.join(out, f"tune-cache-{model}-{os.environ.get('OTHER', 'gradient')}"), "guided": os.path.join(out, f"tune-cache-{model}-guided")}


def sm(m, f):
    return smooth(m, f)


# variant name -> function(gradient map, guided map) -> list of (map, sigma, power) ... one box each
V = {
    "gradient": lambda g, b: (g, 0.02, 2),
    "guided": lambda g, b: (b, 0.05, 1),
    "product raw s5 p1": lambda g, b: (norm(g) * norm(b), 0.05, 1),
    "product raw s2 p1": lambda g, b: (norm(g) * norm(b), 0.02, 1),
    "product raw s5 p0.5": lambda g, b: (norm(g) * norm(b), 0.05, 0.5),
    "geomean raw s5 p1": lambda g, b: (np.sqrt(norm(g) * norm(b)), 0.05, 1),
    "geomean raw s2 p2": lambda g, b: (np.sqrt(norm(g) * norm(b)), 0.02, 2),
    "product smoothed(2%) s0 p1": lambda g, b: (norm(sm(g, 0.02)) * norm(sm(b, 0.02)), 0.0, 1),
    "product smoothed(5%) s0 p1": lambda g, b: (norm(sm(g, 0.05)) * norm(sm(b, 0.05)), 0.0, 1),
    "geomean smoothed(2%) s0 p2": lambda g, b: (np.sqrt(norm(sm(g, 0.02)) * norm(sm(b, 0.02))), 0.0, 2),
    "geomean smoothed(5%) s0 p1": lambda g, b: (np.sqrt(norm(sm(g, 0.05)) * norm(sm(b, 0.05))), 0.0, 1),
    "mean smoothed(5%) s0 p1": lambda g, b: ((norm(sm(g, 0.05)) + norm(sm(b, 0.05))) / 2, 0.0, 1),
    "mean raw s5 p1": lambda g, b: ((norm(g) + norm(b)) / 2, 0.05, 1),
    "guided masked grad>q50 s5 p1": lambda g, b: (b * (sm(g, 0.02) > np.quantile(sm(g, 0.02), 0.5)), 0.05, 1),
    "guided masked grad>q80 s5 p1": lambda g, b: (b * (sm(g, 0.02) > np.quantile(sm(g, 0.02), 0.8)), 0.05, 1),
    "guided x smoothed grad s5 p1": lambda g, b: (b * norm(sm(g, 0.05)), 0.05, 1),
    "guided x smoothed grad(2%) s5 p1": lambda g, b: (b * norm(sm(g, 0.02)), 0.05, 1),
    "guided x sqrt smoothed grad s5 p1": lambda g, b: (b * np.sqrt(norm(sm(g, 0.05))), 0.05, 1),
    "max smoothed(5%) s0 p1": lambda g, b: (np.maximum(norm(sm(g, 0.05)), norm(sm(b, 0.05))), 0.0, 1),
    "guided + 0.25 gradient (normalised smoothed 5%) s0 p1": lambda g, b: (norm(sm(b, 0.05)) + 0.25 * norm(sm(g, 0.05)), 0.0, 1),
}
BOXOPS = {"box union": lambda a, c: (min(a[0], c[0]), min(a[1], c[1]), max(a[2], c[2]), max(a[3], c[3])),
          "box intersection": lambda a, c: (max(a[0], c[0]), max(a[1], c[1]), max(min(a[2], c[2]), max(a[0], c[0])), max(min(a[3], c[3]), max(a[1], c[1])))}
BOXAVG = "box average (gradient, guided)"
names = [n for n in list(V) + [BOXAVG] + list(BOXOPS) if only is None or n in only]

gt = truth()
ids = wnids()
files = images()[:limit] if limit else images()
wrong = {n: 0 for n in names}
t0 = time.time()
for path, image_id, (w, h), (ww, wh), truths in each_image(files, gt):
    cg, _, mg = load(cache_file(caches["gradient"], path))
    cb, _, mb = load(cache_file(caches["guided"], path))
    assert cg[:5] == cb[:5], (path, cg, cb)
    boxes = {n: [] for n in names}
    for k in range(5):
        g = mg[k].reshape(wh, ww)
        b = mb[k].reshape(wh, ww)
        for n in names:
            if n == BOXAVG or n in BOXOPS: continue
            m, s, p = V[n](g, b)
            boxes[n].append(mass_box(np.ascontiguousarray(m, dtype=np.float32), s, p))
        for n in BOXOPS:
            if n in names: boxes[n].append(BOXOPS[n](mass_box(g, 0.02, 2), mass_box(b, 0.05, 1)))
        if BOXAVG in names:
            a, c = mass_box(g, 0.02, 2), mass_box(b, 0.05, 1)
            boxes[BOXAVG].append(tuple(int(round((u + v) / 2)) for u, v in zip(a, c)))
    for n in names:
        ok = top5_hit(cg, boxes[n], ids, (ww, wh), (w, h), truths)
        wrong[n] += not ok
print(f"{model}: n={len(files)}, {time.time() - t0:.0f} s")
for n in names:
    print(f"| {n} | {wilson(wrong[n], len(files))} |")

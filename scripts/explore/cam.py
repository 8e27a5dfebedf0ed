# Exploration: Grad-CAM maps (run --map cam, cached in out/tune-cache-MODEL-cam) as mass-box cues, alone
# and with the guided maps (out/tune-cache-MODEL-guided); top-5 localisation error on the tune images.
#   /usr/bin/python3 scripts/explore/cam.py MODEL [LIMIT]
import os, sys, time
import numpy as np
from maps_lib import *

model = sys.argv[1] if len(sys.argv) > 1 else "mobilenet_v2"
limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
out = os.path.join(ROOT, "out")
caches = {"cam": os.path.join(out, f"tune-cache-{model}-cam"), "guided": os.path.join(out, f"tune-cache-{model}-guided")}


# variant -> function(cam map, guided map) -> (map, sigma, power, tail)
V = {"guided s5 p1": lambda c, b: (b, 0.05, 1, 0.05)}
for s in (0.0, 0.02, 0.05):
    for p in (0.5, 1, 2, 3):
        for t in (0.02, 0.05, 0.1):
            V[f"cam s{s} p{p} t{t}"] = (lambda s, p, t: lambda c, b: (c, s, p, t))(s, p, t)
for e in (0.25, 0.5, 1):
    V[f"guided x cam^{e} s5 p1"] = (lambda e: lambda c, b: (b * np.power(norm(c), e), 0.05, 1, 0.05))(e)
    V[f"geomean guided(sm5%) cam^{e}"] = (lambda e: lambda c, b: (np.sqrt(norm(smooth(b, 0.05)) * np.power(norm(c), e)), 0.0, 1, 0.05))(e)
for wgt in (0.25, 0.5, 1):
    V[f"guided(sm5%) + {wgt} cam"] = (lambda wgt: lambda c, b: (norm(smooth(b, 0.05)) + wgt * norm(c), 0.0, 1, 0.05))(wgt)
BOXAVG = "box average (cam s0 p1, guided)"
names = list(V) + [BOXAVG]

gt = truth()
ids = wnids()
files = images()[:limit] if limit else images()
wrong = {n: 0 for n in names}
t0 = time.time()
for path, image_id, (w, h), (ww, wh), truths in each_image(files, gt):
    cc, _, mc = load(cache_file(caches["cam"], path))
    cb, _, mb = load(cache_file(caches["guided"], path))
    assert cc[:5] == cb[:5], (path, cc, cb)
    boxes = {n: [] for n in names}
    for k in range(5):
        c = mc[k].reshape(wh, ww)
        b = mb[k].reshape(wh, ww)
        for n in V:
            m, s, p, t = V[n](c, b)
            boxes[n].append(mass_box(np.ascontiguousarray(m, dtype=np.float32), s, p, t))
        a, d = mass_box(c, 0.0, 1), mass_box(b, 0.05, 1)
        boxes[BOXAVG].append(tuple(int(round((u + v) / 2)) for u, v in zip(a, d)))
    for n in names:
        ok = top5_hit(cc, boxes[n], ids, (ww, wh), (w, h), truths)
        wrong[n] += not ok
print(f"{model}: n={len(files)}, {time.time() - t0:.0f} s")
for n in sorted(names, key=lambda n: wrong[n]):
    print(f"| {n} | {wilson(wrong[n], len(files))} |")

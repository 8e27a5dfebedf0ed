# Mass-box settings on one model's cached maps of one rule: top-5 localisation error on the tune images.
# /usr/bin/python3 scripts/explore/grid.py MODEL RULE "sigma,power;sigma,power;..." [LIMIT]
import math, os, sys
from maps_lib import *
model, rule = sys.argv[1], sys.argv[2]
settings = [tuple(float(v) for v in s.split(",")) for s in sys.argv[3].split(";")]
files = images()[: int(sys.argv[4])] if len(sys.argv) > 4 else images()
gt, ids = truth(), wnids()
wrong = {s: 0 for s in settings}
per = {s: [] for s in settings}
for path in files:
    iid = os.path.basename(path).split(".")[0]
    h, w = cv2.imread(path, cv2.IMREAD_UNCHANGED).shape[:2]; ww, wh = working(w, h)
    cls, _, maps = load(cache_file(os.path.join(ROOT, "out", f"tune-cache-{model}-{rule}"), path))
    for s in settings:
        boxes = [rescale(mass_box(maps[k].reshape(wh, ww), s[0], s[1]), ww, wh, w, h) for k in range(5)]
        bad = not any(ids[cls[k]] == wn and iou(boxes[k], tb) >= 0.5 for k in range(5) for wn, tb in gt[iid])
        wrong[s] += bad; per[s].append(bad)
print(f"{model} {rule} n={len(files)}")
for s in settings:
    # paired against the first setting: images it gets right that the first gets wrong, and the reverse (McNemar, exact two-sided)
    a = sum(1 for x, y in zip(per[settings[0]], per[s]) if x and not y); b = sum(1 for x, y in zip(per[settings[0]], per[s]) if y and not x)
    p = min(1.0, 2 * sum(math.comb(a + b, i) for i in range(min(a, b) + 1)) / 2 ** (a + b)) if a + b else 1.0
    print(f"| {model} {rule} sigma {s[0]:g} power {s[1]:g} | {wilson(wrong[s], len(files))} | better on {a}, worse on {b}, McNemar p={p:.3f} |")

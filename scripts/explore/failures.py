# Exploration: why ground-truth-class boxes miss (IoU < 0.5) with guided maps and the mass box on the tune
# images: the box's area against the best-matching ground-truth box's, for images with one instance of the
# class and with several; then whether a per-image tail would help: GT-known accuracy at several tails,
# within fifths of two spread measures, and with the best tail per image known in hindsight.
#   /usr/bin/python3 scripts/explore/failures.py MODEL
import os, sys
import numpy as np
from maps_lib import *

model = sys.argv[1] if len(sys.argv) > 1 else "mobilenet_v2"
cache = os.path.join(ROOT, "out", f"tune-cache-{model}-guided")
tails = [0.02, 0.05, 0.08, 0.12, 0.16, 0.2, 0.25]
gt, ids = truth(), wnids()
area = lambda r: (r[2] - r[0] + 1) * (r[3] - r[1] + 1)
rows, by_tail, shares = [], [], []  # (iou, area ratio, instances) at 5%; IoU at each tail; box share of the image at each tail
for path, image_id, (w, h), (ww, wh), truths in each_image(images(), gt):
    classes, _, maps = load(cache_file(cache, path))
    wnid = truths[0][0]
    boxes = [tb for wn, tb in truths if wn == wnid]
    if ids.index(wnid) not in classes: continue
    m = maps[classes.index(ids.index(wnid))].reshape(wh, ww)
    ours = [rescale(mass_box(m, 0.05, 1, t), ww, wh, w, h) for t in tails]
    by_tail.append([max(iou(b, tb) for tb in boxes) for b in ours])
    shares.append([area(b) / (w * h) for b in ours])
    box = ours[tails.index(0.05)]
    best = max(boxes, key=lambda tb: iou(box, tb))
    rows.append((iou(box, best), area(box) / area(best), len(boxes)))
r = np.array(rows)
miss = r[:, 0] < 0.5
print(f"{len(r)} images, GT-known accuracy {100 * (1 - miss.mean()):.1f}%, {miss.sum()} misses")
print(f"misses: box too big (> 1.4x the area) {np.sum(miss & (r[:, 1] > 1.4))}, too small (< 0.7x) {np.sum(miss & (r[:, 1] < 0.7))}, "
      f"median area ratio {np.median(r[miss, 1]):.1f}")
for label, sel in (("one instance", r[:, 2] == 1), ("several instances", r[:, 2] > 1)):
    print(f"{label}: {sel.sum()} images, {np.sum(miss & sel)} misses")

hit = np.array(by_tail) >= 0.5
share = np.array(shares)
print("GT-known by tail:", ", ".join(f"{t}: {100 * hit[:, i].mean():.1f}%" for i, t in enumerate(tails)))
print(f"best tail per image, in hindsight: {100 * hit.any(1).mean():.1f}%")
for name, measure in (("box area at 20% / at 5%", share[:, tails.index(0.2)] / share[:, tails.index(0.05)]), ("box share of the image at 5%", share[:, tails.index(0.05)])):
    fifth = np.digitize(measure, np.quantile(measure, [0.2, 0.4, 0.6, 0.8]))
    for b in range(5):
        sel = fifth == b
        print(f"{name}, fifth {b + 1}: " + ", ".join(f"{100 * hit[sel, i].mean():.0f}" for i in range(len(tails))))

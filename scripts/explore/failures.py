# Exploration: why ground-truth-class boxes miss (IoU < 0.5) with guided maps and the mass box on the tune
# images: the box's area against the best-matching ground-truth box's, for images with one instance of
# the class and with several.
#   /usr/bin/python3 scripts/explore/failures.py MODEL
import os, sys
import numpy as np
from maps_lib import *

model = sys.argv[1] if len(sys.argv) > 1 else "mobilenet_v2"
cache = os.path.join(ROOT, "out", f"tune-cache-{model}-guided")
gt, ids = truth(), wnids()
area = lambda r: (r[2] - r[0] + 1) * (r[3] - r[1] + 1)
rows = []  # (iou, area ratio, instances)
for path in images():
    image_id = os.path.basename(path).split(".")[0]
    h, w = cv2.imread(path, cv2.IMREAD_UNCHANGED).shape[:2]
    ww, wh = working(w, h)
    classes, _, maps = load(cache_file(cache, path))
    wnid = gt[image_id][0][0]
    boxes = [tb for wn, tb in gt[image_id] if wn == wnid]
    if ids.index(wnid) not in classes: continue
    box = rescale(mass_box(maps[classes.index(ids.index(wnid))].reshape(wh, ww), 0.05, 1), ww, wh, w, h)
    best = max(boxes, key=lambda tb: iou(box, tb))
    rows.append((iou(box, best), area(box) / area(best), len(boxes)))
r = np.array(rows)
miss = r[:, 0] < 0.5
print(f"{len(r)} images, GT-known accuracy {100 * (1 - miss.mean()):.1f}%, {miss.sum()} misses")
print(f"misses: box too big (> 1.4x the area) {np.sum(miss & (r[:, 1] > 1.4))}, too small (< 0.7x) {np.sum(miss & (r[:, 1] < 0.7))}, "
      f"median area ratio {np.median(r[miss, 1]):.1f}")
for label, sel in (("one instance", r[:, 2] == 1), ("several instances", r[:, 2] > 1)):
    print(f"{label}: {sel.sum()} images, {np.sum(miss & sel)} misses")

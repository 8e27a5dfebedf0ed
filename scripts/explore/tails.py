# Exploration: would a per-image mass-box tail help? GT-known accuracy of the ground-truth class box at
# several tails, within fifths of two spread measures, and with the best tail per image known in hindsight.
#   /usr/bin/python3 scripts/explore/tails.py
import os, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from maps_lib import *
gt, ids = truth(), wnids()
cache = os.path.join(ROOT, "out", "tune-cache-mobilenet_v2-guided")
tails = [0.02, 0.05, 0.08, 0.12, 0.16, 0.2, 0.25]
area = lambda r: (r[2]-r[0]+1)*(r[3]-r[1]+1)
rows = []
for path in images():
    image_id = os.path.basename(path).split(".")[0]
    h, w = cv2.imread(path, cv2.IMREAD_UNCHANGED).shape[:2]
    ww, wh = working(w, h)
    cl, _, maps = load(cache_file(cache, path))
    wnid = gt[image_id][0][0]
    if ids.index(wnid) not in cl: continue
    m = maps[cl.index(ids.index(wnid))].reshape(wh, ww)
    boxes = [rescale(mass_box(m, 0.05, 1, t), ww, wh, w, h) for t in tails]
    ious = [max(iou(b, tb) for wn, tb in gt[image_id] if wn == wnid) for b in boxes]
    frac = [area(b) / (w * h) for b in boxes]
    rows.append((ious, frac))
I = np.array([r[0] for r in rows]); F = np.array([r[1] for r in rows])
print("acc per tail", [(t, round((I[:, i] >= .5).mean(), 3)) for i, t in enumerate(tails)])
print("oracle best tail acc", (I.max(1) >= .5).mean())
# feature: ratio of area at tail 0.2 to area at 0.05, and area fraction at 0.05
r = F[:, 5] / F[:, 1]; a = F[:, 1]
for name, feat in (("ratio20/5", r), ("frac5", a)):
    qs = np.quantile(feat, [0.2, 0.4, 0.6, 0.8])
    bins = np.digitize(feat, qs)
    for b in range(5):
        sel = bins == b
        print(name, b, sel.sum(), [round((I[sel, i] >= .5).mean(), 2) for i in range(len(tails))])

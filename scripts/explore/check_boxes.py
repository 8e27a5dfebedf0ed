# Checks maps_lib's mass box against the product's boxes (a run's loc.csv) on the first N tune images.
import csv, os, sys
from maps_lib import *
model, rule, sigma, power, run, n = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], int(sys.argv[6])
pred = {r["ImageId"]: r["PredictionString"].split() for r in csv.DictReader(open(os.path.join(run, "loc.csv")))}
ids = wnids(); same = diff = 0
for path in images()[:n]:
    iid = os.path.basename(path).split(".")[0]
    h, w = cv2.imread(path, cv2.IMREAD_UNCHANGED).shape[:2]; ww, wh = working(w, h)
    cls, _, maps = load(cache_file(os.path.join(ROOT, "out", f"tune-cache-{model}-{rule}"), path))
    p = pred[iid]
    for k in range(5):
        mine = (ids[cls[k]],) + rescale(mass_box(maps[k].reshape(wh, ww), sigma, power), ww, wh, w, h)
        theirs = (p[5 * k],) + tuple(int(v) for v in p[5 * k + 1:5 * k + 5])
        if mine == theirs: same += 1
        else: diff += 1; print(iid, k, mine, theirs)
print("same", same, "different", diff)

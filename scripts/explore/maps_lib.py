# Exploration helpers: read --map-cache files (MapCache format), the mass box as MassBoxLocaliser computes it,
# and the ILSVRC top-5 localisation error as IlsvrcScore computes it. Run with a Python that has numpy and cv2.
import csv, glob, hashlib, json, math, os, struct
import sys
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from intervals import percent_with_interval  # noqa: E402
import cv2

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
DATA = os.path.join(ROOT, "..", "shared", "data", "ilsvrc-tune")


def wnids():
    card = json.load(open(os.path.join(ROOT, "models/onnx/mobilenet_v2.card.json")))
    return [c["wnid"] for c in card["classes"]]


def truth():
    gt = {}
    with open(os.path.join(DATA, "LOC_val_solution.csv")) as f:
        for row in csv.DictReader(f):
            p = row["PredictionString"].split()
            gt[row["ImageId"]] = [(p[i], tuple(int(v) for v in p[i + 1:i + 5])) for i in range(0, len(p), 5)]
    return gt


def images():
    return sorted(glob.glob(os.path.join(DATA, "images", "*.JPEG")))


def cache_file(cache, path):
    (sub,) = os.listdir(cache)
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    return os.path.join(cache, sub, digest + ".maps")


def load(file):
    b = open(file, "rb").read()
    count, length = struct.unpack_from("<ii", b, 0)
    o = 8
    classes = list(struct.unpack_from(f"<{count}i", b, o)); o += 4 * count
    (ns,) = struct.unpack_from("<i", b, o); o += 4
    scores = np.frombuffer(b, "<f4", ns, o); o += 4 * ns
    maps = np.frombuffer(b, "<f4", count * length, o).reshape(count, length)
    return classes, scores, maps


def smooth(m, fraction):
    if fraction <= 0: return m
    h, w = m.shape
    return cv2.GaussianBlur(m, (0, 0), max(0.5, fraction * min(w, h)))


def span(mass, tail):
    """As MassBoxLocaliser.Span: first index where the cumulative share passes tail, last before it passes 1 - tail."""
    n = len(mass)
    r = np.cumsum(mass) / mass.sum()
    begin = min(int(np.sum(r <= tail)), n - 1)
    end = int(np.sum(r < 1 - tail))
    return begin, min(max(end, begin), n - 1)


def mass_box(m, sigma, power, tail=0.05):
    """m: 2-D float map at the working size. Returns (x0, y0, x1, y1) inclusive."""
    h, w = m.shape
    s = smooth(m.astype(np.float32), sigma)
    mn = s.min()
    if s.max() <= mn: return (0, 0, w - 1, h - 1)
    v = np.power((s - mn).astype(np.float64), power)
    x0, x1 = span(v.sum(0), tail)
    y0, y1 = span(v.sum(1), tail)
    return (x0, y0, x1, y1)


def iou(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0]) + 1
    h = min(a[3], b[3]) - max(a[1], b[1]) + 1
    if w <= 0 or h <= 0: return 0.0
    i = w * h
    area = lambda r: (r[2] - r[0] + 1) * (r[3] - r[1] + 1)
    return i / (area(a) + area(b) - i)


def rescale(box, fw, fh, tw, th):
    sx, sy = tw / fw, th / fh
    return (math.floor(box[0] * sx), math.floor(box[1] * sy), min(tw - 1, math.ceil((box[2] + 1) * sx) - 1), min(th - 1, math.ceil((box[3] + 1) * sy) - 1))


def working(w, h, side=1024):
    f = min(1.0, side / max(w, h))
    return (w, h) if f >= 1 else (max(1, round(w * f)), max(1, round(h * f)))


def wilson(k, n):
    return percent_with_interval(k, n)


def norm(m):
    """The map scaled to [0, 1] (zeros for a flat map)."""
    lo, hi = m.min(), m.max()
    return (m - lo) / (hi - lo) if hi > lo else np.zeros_like(m)


def each_image(files, gt):
    """Per image: path, id, original size, working size, ground-truth (wnid, box) list."""
    for path in files:
        image_id = os.path.basename(path).split(".")[0]
        h, w = cv2.imread(path, cv2.IMREAD_UNCHANGED).shape[:2]
        ww, wh = working(w, h)
        yield path, image_id, (w, h), (ww, wh), gt[image_id]


def top5_hit(classes, boxes, ids, working_size, size, truths):
    """ILSVRC top-5 localisation: some guess has a ground-truth class and IoU >= 0.5 with one of its boxes."""
    (ww, wh), (w, h) = working_size, size
    return any(ids[classes[k]] == wn and iou(rescale(boxes[k], ww, wh, w, h), tb) >= 0.5 for k in range(5) for wn, tb in truths)

#!/usr/bin/env python3
"""A second computation of MaxBoxAcc v1/v2 (Choe et al., CVPR 2020) with NumPy and Debian's cv2,
written from the protocol's description, to cross-check `Pipeline eval --protocol maxboxacc`.

    /usr/bin/python3 scripts/maxboxacc_check.py MAPS_DIR LOC_val_solution.csv   -> prints one JSON line

(Debian's python3 with python3-numpy and python3-opencv, scripts/setup.sh.)

Maps: MAPS_DIR/**/ID[.ext].npy, 224x224 in [0, 1]; sizes from image_sizes.txt in MAPS_DIR or above.
"""
import csv, json, os, sys
import cv2
import numpy as np

maps_dir, truth_path = sys.argv[1], sys.argv[2]
maps = {}
for root, _, files in os.walk(maps_dir):
    for f in files:
        if f.endswith('.npy'):
            rel = os.path.relpath(os.path.join(root, f), maps_dir)[:-4]
            stem = os.path.basename(rel)
            image_id = os.path.splitext(stem)[0] if os.path.splitext(stem)[1].lower() in ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff') else stem
            maps[image_id] = rel
sizes_path = next(p for p in (os.path.join(maps_dir, 'image_sizes.txt'), os.path.join(os.path.dirname(os.path.abspath(maps_dir)), 'image_sizes.txt')) if os.path.exists(p))
sizes = {}
for line in open(sizes_path):
    if line.strip():
        key, w, h = line.strip().split(',')
        sizes[key] = (int(w), int(h))

taus = np.arange(0, 1, 0.01)
deltas = [0.3, 0.5, 0.7]
v1 = np.zeros(len(taus))
v2 = {d: np.zeros(len(taus)) for d in deltas}
count = 0


def iou(a, b):  # inclusive pixel areas
    iw = min(a[2], b[2]) - max(a[0], b[0]) + 1
    ih = min(a[3], b[3]) - max(a[1], b[1]) + 1
    inter = max(0, iw) * max(0, ih)
    union = (a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1) - inter
    return inter / union if union > 0 else 0.0


with open(truth_path) as f:
    for row in csv.DictReader(f):
        count += 1
        image_id = row['ImageId']
        if image_id not in maps:
            continue
        t = row['PredictionString'].split()
        w, h = sizes[maps[image_id]]
        gts = [(int(int(t[i + 1]) * 224.0 / w), int(int(t[i + 2]) * 224.0 / h), int(int(t[i + 3]) * 224.0 / w), int(int(t[i + 4]) * 224.0 / h))
               for i in range(0, len(t), 5)]
        m = np.load(os.path.join(maps_dir, maps[image_id] + '.npy')).astype(np.float64)
        assert m.shape == (224, 224)
        m = np.zeros_like(m) if m.min() == m.max() else (m - m.min()) / (m.max() - m.min())
        img = (m * 255).astype(np.uint8)
        for k, tau in enumerate(taus):
            _, mask = cv2.threshold(img, int(tau * img.max()), 255, cv2.THRESH_BINARY)
            contours = cv2.findContours(mask, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)[0]
            if len(contours) == 0:
                boxes, largest = [(0, 0, 0, 0)], (0, 0, 0, 0)
            else:
                boxes = []
                for c in contours:
                    x, y, bw, bh = cv2.boundingRect(c)
                    boxes.append((x, y, min(x + bw, 223), min(y + bh, 223)))
                largest = boxes[max(range(len(contours)), key=lambda i: cv2.contourArea(contours[i]))]
            if max(iou(largest, g) for g in gts) >= 0.5:
                v1[k] += 1
            best = max(iou(b, g) for b in boxes for g in gts)
            for d in deltas:
                if best >= d:
                    v2[d][k] += 1

print(json.dumps({'images': count, 'MaxBoxAccV1': v1.max() / count,
                  'MaxBoxAccV2': float(np.mean([v2[d].max() / count for d in deltas])),
                  'V1': (v1 / count).tolist(), 'V2': [(v2[d] / count).tolist() for d in deltas]}))

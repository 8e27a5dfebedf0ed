#!/usr/bin/env python3
"""The colour matrix of `visualise --param fourier`: the symmetric square root of the RGB
covariance of natural images (pixels scaled to [0, 1], each image's pixels a 64x64 resize so every
image counts alike), divided by its largest column norm. Decorrelated unit-variance channels times
this matrix have the images' colour correlation.

    /usr/bin/python3 scripts/colour_correlation.py ../shared/data/ilsvrc-tune/images   -> the matrix, row by row (R, G, B)
"""
import os, sys
import numpy as np
from PIL import Image

folder = sys.argv[1]
pixels = []
for name in sorted(os.listdir(folder)):
    with Image.open(os.path.join(folder, name)) as image:
        pixels.append(np.asarray(image.convert('RGB').resize((64, 64)), dtype=np.float64).reshape(-1, 3) / 255)
pixels = np.concatenate(pixels)
covariance = np.cov(pixels, rowvar=False)
values, vectors = np.linalg.eigh(covariance)
root = vectors @ np.diag(np.sqrt(values)) @ vectors.T
root /= np.linalg.norm(root, axis=0).max()
print(f"{len(pixels) // 4096} images; covariance eigenvalues {np.round(values, 5).tolist()}")
for row in root:
    print(', '.join(f'{v:.4f}' for v in row))

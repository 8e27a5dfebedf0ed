#!/usr/bin/env python3
"""Reference attributions from PyTorch autograd, for the C# attribution-method tests.

Takes a fixture of torch_oracle.py (--fixture: its meta.json, image.bin, classes.bin) and rebuilds
the same network with the same seeded weights (torch_oracle.build), checked against the fixture's
logits. For one image (--image) and its first --classes classes, computed in float64, writes into --out:
  integrated_gradients.bin  float32 [K, 3, S, S], with --baseline: (x - b) times the weighted mean of
                            d score / d x at --steps points b + a (x - b) of the --rule: midpoint
                            (a = (i + 0.5) / steps, equal weights) or gauss-legendre (NumPy's
                            Gauss-Legendre nodes and weights moved from [-1, 1] to [0, 1]),
                            the baseline b read from --baseline (float32 [3, S, S])
  integrated_gradients_float32.bin  the same from torch's float32 autograd (its own rounding error)
  input_x_gradient.bin      float32 [K, 3, S, S]: x times d score / d x
  grad_cam_plus_plus.bin    float32 [K, h, w], with --layer: Grad-CAM++ of the output A of that module
                            (a forward hook), g = d score / d A (Chattopadhay et al. 2018, Eq. 19 with the
                            exponential of the score, whose derivatives are the score's powers):
                            alpha = g^2 / (2 g^2 + sum_ab A_ab g^3) (denominator 0 taken as 1),
                            w_c = sum_ij alpha_ij ReLU(g_ij), map = ReLU(sum_c w_c A_c)
  meta.json                 the settings, written last (the fixture is complete)
"""
import argparse
import copy
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_oracle import build  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--fixture", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--image", type=int, default=0)
    p.add_argument("--classes", type=int, default=2)
    p.add_argument("--steps", type=int, default=32)
    p.add_argument("--baseline")
    p.add_argument("--rule", choices=["midpoint", "gauss-legendre"], default="midpoint")
    p.add_argument("--layer")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    with open(os.path.join(args.fixture, "meta.json")) as f:
        meta = json.load(f)
    n, k_all, size = meta["batch"], meta["classes"], meta["size"]
    images = np.fromfile(os.path.join(args.fixture, "image.bin"), dtype=np.float32).reshape(n, 3, size, size)
    classes = np.fromfile(os.path.join(args.fixture, "classes.bin"), dtype=np.int64).reshape(n, k_all)[args.image, :args.classes]
    model32 = build(meta["arch"], meta["seed"])
    model = copy.deepcopy(model32).double()
    x = torch.from_numpy(images[args.image:args.image + 1]).double()
    with torch.no_grad():
        logits = np.fromfile(os.path.join(args.fixture, "logits.bin"), dtype=np.float32).reshape(n, -1)[args.image]
        if not np.allclose(model(x)[0].numpy(), logits, rtol=1e-3, atol=1e-3 * np.abs(logits).max()):
            sys.exit("the rebuilt network does not give the fixture's logits: not the same weights")

    def save(name, tensors):
        torch.stack(tensors).detach().numpy().astype("float32").tofile(os.path.join(args.out, name))

    if args.baseline:
        integrated_gradients(model, x, classes, args.steps, args.rule, args.baseline, size, save, "integrated_gradients.bin")
        integrated_gradients(model32, x.float(), classes, args.steps, args.rule, args.baseline, size, save, "integrated_gradients_float32.bin")

    # Input x Gradient, and Grad-CAM++ from a forward hook on the layer.
    kept = []
    handle = dict(model.named_modules())[args.layer].register_forward_hook(lambda module, inputs, output: kept.append(output)) if args.layer else None
    xg = x.clone().requires_grad_(True)
    scores = model(xg)
    if handle:
        handle.remove()
    ixg, cam_pp = [], []
    for k, c in enumerate(classes):
        (gx, *ga) = torch.autograd.grad(scores[0, c], [xg, *kept], retain_graph=k + 1 < len(classes))
        ixg.append((x * gx)[0])
        if kept:
            a, g = kept[0][0], ga[0][0]
            denominator = 2 * g ** 2 + a.sum(dim=(1, 2), keepdim=True) * g ** 3
            alpha = g ** 2 / torch.where(denominator != 0, denominator, torch.ones_like(denominator))
            weights = (alpha * torch.relu(g)).sum(dim=(1, 2), keepdim=True)
            cam_pp.append(torch.relu((weights * a).sum(0)))
    save("input_x_gradient.bin", ixg)
    if kept:
        save("grad_cam_plus_plus.bin", cam_pp)
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump({"fixture": os.path.basename(os.path.normpath(args.fixture)), "image": args.image, "classes": classes.tolist(),
                   "steps": args.steps, "rule": args.rule, "layer": args.layer, "baseline": bool(args.baseline), "torch": torch.__version__}, f)


def integrated_gradients(model, x, classes, steps, rule, baseline_file, size, save, name):
    """Every point of the path in one batch, in x's precision."""
    baseline = torch.from_numpy(np.fromfile(baseline_file, dtype=np.float32).reshape(1, 3, size, size)).to(x.dtype)
    if rule == "midpoint":
        alphas, weights = (np.arange(steps) + 0.5) / steps, np.full(steps, 1.0 / steps)
    else:
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        alphas, weights = (nodes + 1) / 2, weights / 2
    alphas, weights = torch.from_numpy(alphas).to(x.dtype), torch.from_numpy(weights).to(x.dtype)
    points = (baseline + alphas.view(-1, 1, 1, 1) * (x - baseline)).requires_grad_(True)
    scores = model(points)
    ig = []
    for k, c in enumerate(classes):
        (g,) = torch.autograd.grad(scores[:, c].sum(), points, retain_graph=k + 1 < len(classes))
        ig.append(((x - baseline) * (weights.view(-1, 1, 1, 1) * g).sum(0, keepdim=True))[0])
    save(name, ig)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PyTorch baseline for `Pipeline bench`: forward time and input-gradient time by autograd for a
torchvision architecture, with a given thread count. Prints one JSON object of medians (seconds).

Gradients for K classes take one forward and K backward passes (retain_graph), the usual way to
get several class gradients from autograd.
"""
import argparse
import json
import statistics
import time

import torch
import torchvision


def median_time(fn, runs):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", required=True)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--classes", default="1,5")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--size", type=int, default=224)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = getattr(torchvision.models, args.arch)(weights=None).eval()
    x = torch.randn(args.batch, 3, args.size, args.size)
    result = {"arch": args.arch, "batch": args.batch, "threads": args.threads, "torch": torch.__version__}
    with torch.no_grad():
        result["forward"] = median_time(lambda: model(x), args.runs)
    for k in [int(c) for c in args.classes.split(",")]:
        classes = torch.randint(0, 1000, (args.batch, k))

        def gradients():
            xx = x.clone().requires_grad_(True)
            logits = model(xx)
            for j in range(k):
                torch.autograd.grad(logits.gather(1, classes[:, j:j + 1]).sum(), xx, retain_graph=j + 1 < k)

        result[f"gradientK{k}"] = median_time(gradients, args.runs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

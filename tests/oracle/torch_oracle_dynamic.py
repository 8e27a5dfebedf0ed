#!/usr/bin/env python3
"""torch_oracle.py's models exported as a user would export them for any batch size.

For one architecture, the model torch_oracle.py builds from the same seed (same weights), exported
by torch.onnx.export with the batch axis dynamic (dynamic_axes on the image and the logits), so the
graph computes the batch from the image's Shape where the model needs it (a vision transformer's
class token, torch's token.expand(n, -1, -1)). Writes into --out:
  model_opset17.onnx   the exported model
  meta.json            the settings
The gradients to compare with are torch_oracle.py's for the same --arch and --seed.
"""
import argparse
import json
import os

import torch

from torch_oracle import SIZES, build


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--opset", type=int, default=17)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    model = build(args.arch, args.seed)
    size = SIZES.get(args.arch, 224)
    torch.onnx.export(model, torch.zeros(1, 3, size, size), os.path.join(args.out, f"model_opset{args.opset}.onnx"),
                      opset_version=args.opset, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump({"arch": args.arch, "seed": args.seed, "size": size, "opset": args.opset, "dynamic_batch": True,
                   "torch": torch.__version__}, f)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A torchvision classifier to an ONNX gradient model, in two steps:

1. torch.onnx.export of the torchvision architecture (weights from --weights, a state_dict saved
   with torch.save; without it, seeded random weights, for tests and benchmarks), at batch 1;
2. `Pipeline export-grad` on that file, which builds the input gradient into the graph.

    python3 scripts/export_grad_onnx.py --arch vgg16 --weights vgg16-397923af.pth --out vgg_grad.onnx

Needs torch and torchvision (Debian: python3-torch python3-torchvision) and the .NET SDK.
"""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = {"inception_v3": 299}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", required=True, help="torchvision.models name, e.g. vgg16, resnet50, mobilenet_v2")
    p.add_argument("--weights", help="state_dict file (.pth); default: random weights with --seed")
    p.add_argument("--out", required=True, help="gradient model to write")
    p.add_argument("--source-out", help="also keep the plain ONNX export here")
    p.add_argument("--rule", default="gradient", choices=["gradient", "deconvnet", "guided"])
    p.add_argument("--opset", type=int, default=17)
    p.add_argument("--size", type=int, help="input size (default 224, 299 for inception_v3)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pipeline", default=os.environ.get("PIPELINE_BIN", f"dotnet run --project {REPO}/src/Pipeline -c Release --"),
                   help="how to run the Pipeline CLI (default: dotnet run on this repository; env PIPELINE_BIN)")
    args = p.parse_args()

    try:
        import torch
        import torchvision
    except ImportError as missing:
        # python3 on PATH is often not Debian's (pyenv, conda, a virtual environment); Debian's is where
        # scripts/setup.sh installs torch. Compared by name: a virtual environment's python links to it.
        debian = "/usr/bin/python3"
        if os.path.exists(debian) and sys.executable != debian:
            os.execv(debian, [debian, *sys.argv])
        sys.exit(f"{missing.name} is missing for {sys.executable}: install python3-torch python3-torchvision (bash scripts/setup.sh)")

    torch.manual_seed(args.seed)
    kwargs = {"weights": None}
    if args.arch in ("googlenet", "inception_v3"):
        kwargs.update(aux_logits=False, init_weights=False)
    model = getattr(torchvision.models, args.arch)(**kwargs)
    if args.weights:
        state = torch.load(args.weights, map_location="cpu")
        model.load_state_dict({k: v for k, v in state.items() if not k.startswith("AuxLogits.") and not k.startswith("aux")}, strict=False)
    model.eval()
    size = args.size or SIZES.get(args.arch, 224)

    with tempfile.TemporaryDirectory() as tmp:
        source = args.source_out or os.path.join(tmp, f"{args.arch}.onnx")
        torch.onnx.export(model, torch.zeros(1, 3, size, size), source, opset_version=args.opset,
                          input_names=["image"], output_names=["logits"], do_constant_folding=True)
        command = shlex.split(args.pipeline) + ["export-grad", "--model", source, "--out", args.out, "--rule", args.rule]
        sys.exit(subprocess.call(command))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference input gradients from PyTorch autograd, for the C# oracle tests.

For one torchvision architecture with seeded random weights (BatchNorm affine parameters random,
its statistics measured on random images), writes into --out:
  model_opset{13,17}.onnx   the model exported by torch.onnx.export at batch 1 (eval mode)
  image.bin                 float32 [N, 3, S, S] random images
  classes.bin               int64 [N, K] distinct random classes per image
  logits.bin                float32 [N, 1000] the float32 model's logits
  grad_{rule}.bin           float32 [N, K, 3, S, S] d logit[n, classes[n, k]] / d image[n],
                            computed in float64, for rule = gradient (and deconvnet, guided
                            with --rules, implemented with hooks on the ReLU modules)
  grad_gradient_float32.bin the same from torch's float32 autograd (its own rounding error)
  meta.json                 shapes and settings
Debian's python3-torch and python3-torchvision are enough; no weights are downloaded.
"""
import argparse
import json
import os

import torch
import torchvision

SIZES = {"inception_v3": 299, "efficientnet_v2_s": 128, "vit_tiny": 64, "vit_tiny_torch_attention": 64}  # smaller inputs keep these fixtures quick


class BatchFirstAttention(torch.nn.Module):
    """nn.MultiheadAttention's self-attention (same weights, same function) computed batch-first.
    torch exports nn.MultiheadAttention sequence-first ([L, N, E], batch merged with the heads),
    which the builder refuses: it needs the batch axis in front of every tensor."""

    def __init__(self, mha: torch.nn.MultiheadAttention):
        super().__init__()
        self.heads, self.width = mha.num_heads, mha.head_dim
        self.in_proj = torch.nn.Linear(mha.embed_dim, 3 * mha.embed_dim)
        self.in_proj.weight, self.in_proj.bias = mha.in_proj_weight, mha.in_proj_bias
        self.out_proj = mha.out_proj

    def forward(self, query, key, value, need_weights=False):
        n, length, dim = query.shape
        q, k, v = (t.reshape(n, length, self.heads, self.width).transpose(1, 2) for t in self.in_proj(query).chunk(3, dim=-1))
        attention = torch.softmax(q @ k.transpose(-2, -1) * self.width ** -0.5, dim=-1)
        return self.out_proj((attention @ v).transpose(1, 2).reshape(n, length, dim)), None


# Vision transformers: vit_b_16_batch_first is torchvision's vit_b_16 (224 pixels, 12 layers);
# vit_tiny is its VisionTransformer at 64 pixels, patch 16, 2 layers, 4 heads, width 64. Both
# compute the attention batch-first (BatchFirstAttention); vit_tiny_torch_attention keeps torch's
# own sequence-first attention, as vit_b_16 exports, which the builder refuses.
VISION_TRANSFORMERS = ("vit_b_16_batch_first", "vit_tiny", "vit_tiny_torch_attention")


def vision_transformer(arch: str) -> torch.nn.Module:
    model = (torchvision.models.vit_b_16(weights=None) if arch == "vit_b_16_batch_first" else
             torchvision.models.VisionTransformer(image_size=64, patch_size=16, num_layers=2, num_heads=4,
                                                  hidden_dim=64, mlp_dim=128))
    for block in model.encoder.layers if arch != "vit_tiny_torch_attention" else []:
        block.self_attention = BatchFirstAttention(block.self_attention)
    with torch.no_grad():  # torchvision starts the class token and the head at zero
        model.class_token.normal_()
        torch.nn.init.normal_(model.heads.head.weight, std=0.2)
        model.heads.head.bias.uniform_(-0.2, 0.2)
        for m in model.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    return model


def build(arch: str, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    kwargs = {"weights": None}
    if arch in ("googlenet", "inception_v3"):
        kwargs.update(aux_logits=False, init_weights=False)
    model = vision_transformer(arch) if arch in VISION_TRANSFORMERS else getattr(torchvision.models, arch)(**kwargs)
    batch_norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for m in model.modules():
        if hasattr(m, "inplace"):
            m.inplace = False  # backward hooks need out-of-place rectifiers
    for m in batch_norms:
        m.weight.data.uniform_(0.5, 1.5)
        m.bias.data.uniform_(-0.2, 0.2)
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the calibration batch
    if batch_norms:
        # Statistics measured on random images, as training would leave them: every layer's
        # activations stay of order one. (Random statistics let them vanish with depth, where
        # float32 and float64 then disagree on most ReLU masks.)
        model.train()
        with torch.no_grad():
            model(torch.randn(8, 3, SIZES.get(arch, 224), SIZES.get(arch, 224), generator=torch.Generator().manual_seed(seed + 2)))
    return model.eval()


def install_rule(model: torch.nn.Module, rule: str):
    """DeconvNet and guided backprop as hooks on ReLU and ReLU6 modules (the project's definition:
    the lower bound is the rectifier; ReLU6's upper saturation keeps its gradient mask)."""
    handles, cursors = [], []
    if rule == "gradient":
        return handles, lambda: None
    for m in model.modules():
        if not isinstance(m, (torch.nn.ReLU, torch.nn.ReLU6)):
            continue
        upper = 6.0 if isinstance(m, torch.nn.ReLU6) else None
        # A module may be applied more than once (ResNet's blocks); each backward pass visits its
        # calls in reverse order, so a cursor walks back through the inputs seen going forward.
        seen, cursor = [], [0]
        cursors.append((seen, cursor))

        def forward_hook(mod, inputs, output, seen=seen):
            seen.append(inputs[0].detach())

        def backward_hook(mod, grad_input, grad_output, seen=seen, cursor=cursor, upper=upper):
            g = grad_output[0].clamp(min=0)
            cursor[0] -= 1
            x = seen[cursor[0]]
            if upper is None:  # ReLU: mask [x > 0]
                return (g * (x > 0) if rule == "guided" else g,)
            # ReLU6 as the project's Clip: mask [0 <= x <= 6]; deconvnet keeps the upper saturation
            g = g * (x <= upper)
            return (g * (x >= 0) if rule == "guided" else g,)

        handles.append(m.register_forward_hook(forward_hook))
        handles.append(m.register_full_backward_hook(backward_hook))

    def start_backward():
        for seen, cursor in cursors:
            cursor[0] = len(seen)

    return handles, start_backward


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--batch", type=int, default=3)
    p.add_argument("--classes", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rules", default="gradient")
    p.add_argument("--opsets", default="13,17")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))

    model = build(args.arch, args.seed)
    size = SIZES.get(args.arch, 224)
    for opset in [int(o) for o in args.opsets.split(",")]:
        torch.onnx.export(model, torch.zeros(1, 3, size, size), os.path.join(args.out, f"model_opset{opset}.onnx"),
                          opset_version=opset, input_names=["image"], output_names=["logits"], do_constant_folding=True)

    gen = torch.Generator().manual_seed(args.seed + 1)
    image = torch.randn(args.batch, 3, size, size, generator=gen)
    classes = torch.stack([torch.randperm(1000, generator=gen)[: args.classes] for _ in range(args.batch)])
    image.numpy().astype("float32").tofile(os.path.join(args.out, "image.bin"))
    classes.numpy().astype("int64").tofile(os.path.join(args.out, "classes.bin"))

    with torch.no_grad():
        model(image).numpy().astype("float32").tofile(os.path.join(args.out, "logits.bin"))

    def gradients(dtype, rule, name):
        net = model.to(dtype)
        handles, start_backward = install_rule(net, rule)
        x = image.to(dtype).requires_grad_(True)
        logits = net(x)
        grads = []
        for k in range(args.classes):
            score = logits.gather(1, classes[:, k:k + 1]).sum()
            start_backward()
            (g,) = torch.autograd.grad(score, x, retain_graph=k + 1 < args.classes)
            grads.append(g)
        torch.stack(grads, dim=1).numpy().astype("float32").tofile(os.path.join(args.out, name))
        for h in handles:
            h.remove()

    for rule in args.rules.split(","):
        gradients(torch.float64, rule, f"grad_{rule}.bin")
    # torch's own float32 autograd: how far float32 arithmetic alone moves the gradient.
    gradients(torch.float32, "gradient", "grad_gradient_float32.bin")

    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump({"arch": args.arch, "batch": args.batch, "classes": args.classes, "size": size,
                   "rules": args.rules.split(","), "opsets": args.opsets.split(","), "seed": args.seed,
                   "torch": torch.__version__, "torchvision": torchvision.__version__}, f)


if __name__ == "__main__":
    main()

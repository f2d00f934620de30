#!/usr/bin/python3
"""Generates pytorch_optimizer_vectors.hpp: the trajectories of small networks (dense and conv)
trained one example at a time by torch.optim (SGD, SGD with weight decay, momentum, Nesterov
momentum, Adam, Adam with L2 weight decay, AdamW), the independent reference of
tests/functional/pytorch_optimizer_test.cpp.

Run offline, from the repository root, with Debian's python3-torch (1.13):
    /usr/bin/python3 tests/vectors/generate_pytorch_optimizer_vectors.py > tests/vectors/pytorch_optimizer_vectors.hpp
CI does not need PyTorch: the generated header is committed. Everything is float64 and drawn
from a seeded torch.Generator, so a rerun with the same PyTorch gives the same file.

Each case starts from the same initial parameters, runs `steps` updates on the examples in
turn (zero_grad, forward, cross-entropy, backward, optimizer.step()), and records the loss
of each step (before its update) and the parameters after the last one, in constnn's layout
(see generate_pytorch_cnn_vectors.py, whose layer classes this script reuses). The `_batch`
cases take all the examples as one mini-batch per step (cross-entropy's mean reduction).
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_pytorch_cnn_vectors as cnn  # noqa: E402  (sets float64 and its generator)

STEPS = 24
EXAMPLES = 4

OPTIMIZERS = [
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.1)),
    ("sgd_weight_decay", lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.01)),
    ("momentum", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    ("nesterov", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                           weight_decay=0.01)),
    ("adam", lambda p: torch.optim.Adam(p, lr=0.01)),
    ("adam_weight_decay", lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.05)),
    ("adamw", lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
]


# Mini-batches: every step takes all EXAMPLES examples, the mean of their losses.
BATCH_STEPS = 10
BATCH_OPTIMIZERS = [name for name, _ in OPTIMIZERS if name in ("sgd", "momentum", "adam")]


def mlp_net():
    d1, d2 = cnn.Dense(6, 5), cnn.Dense(5, 3)

    def run(x):  # x: [1][6]
        return d2(torch.sigmoid(d1(x)))
    return [d1, d2], run, (6,)


def conv_net():
    layers, run = cnn.image_net(8, 7, 2)
    return layers, run, (8, 7, 2)


def constnn_view(layer, p):
    view = layer.params()[0 if p is layer.w else 1]
    return view.detach().flatten()


def arr(values):
    return ",\n    ".join(", ".join(repr(float(v)) for v in values[i:i + 4])
                          for i in range(0, len(values), 4))


def emit(name, make_net, out):
    layers, run, shape = make_net()
    inputs = [cnn.uniform(*shape) for _ in range(EXAMPLES)]
    labels = [int(torch.randint(0, 3, (1,), generator=cnn.gen)) for _ in range(EXAMPLES)]
    start = [t.detach().clone() for layer in layers for t in (layer.w, layer.b)]

    def to_torch(x_cl):
        return (x_cl.permute(2, 0, 1) if len(shape) == 3 else x_cl).unsqueeze(0)

    def flat_params():
        return torch.cat([constnn_view(layer, p) for layer in layers for p in (layer.w, layer.b)])

    print(f"struct {name} {{", file=out)
    print(f"  static constexpr std::size_t steps = {STEPS};", file=out)
    print(f"  static constexpr std::array<std::size_t, {EXAMPLES}> labels{{"
          f"{', '.join(map(str, labels))}}};", file=out)
    print(f"  static constexpr std::array<double, {EXAMPLES * len(inputs[0].flatten())}> inputs{{\n"
          f"    {arr(torch.cat([x.flatten() for x in inputs]).tolist())}}};", file=out)
    initial = flat_params()
    print(f"  static constexpr std::array<double, {initial.numel()}> initial{{\n"
          f"    {arr(initial.tolist())}}};", file=out)
    params = [t for layer in layers for t in (layer.w, layer.b)]
    batch = torch.cat([to_torch(x) for x in inputs])

    def trajectory(struct, make_opt, steps, example_of_step, with_steps):
        # From the initial parameters, `steps` updates, each on example_of_step(k) (a pair of
        # the input and its labels), then the losses and final parameters as struct `struct`.
        with torch.no_grad():
            for t, s in zip(params, start):
                t.copy_(s)
        opt = make_opt(params)
        losses = []
        for k in range(steps):
            x, y = example_of_step(k)
            opt.zero_grad()
            loss = F.cross_entropy(run(x), y)
            loss.backward()
            opt.step()
            losses.append(float(loss))
        final = flat_params()
        print(f"  struct {struct} {{", file=out)
        if with_steps:
            print(f"    static constexpr std::size_t steps = {steps};", file=out)
        print(f"    static constexpr std::array<double, {steps}> losses{{\n    {arr(losses)}}};",
              file=out)
        print(f"    static constexpr std::array<double, {final.numel()}> final{{\n"
              f"    {arr(final.tolist())}}};", file=out)
        print("  };", file=out)

    for opt_name, make_opt in OPTIMIZERS:
        trajectory(opt_name, make_opt, STEPS,
                   lambda k: (to_torch(inputs[k % EXAMPLES]), torch.tensor([labels[k % EXAMPLES]])),
                   False)
    for opt_name, make_opt in OPTIMIZERS:
        if opt_name in BATCH_OPTIMIZERS:
            trajectory(f"{opt_name}_batch", make_opt, BATCH_STEPS,
                       lambda k: (batch, torch.tensor(labels)), True)
    print("};\n", file=out)


def main():
    out = sys.stdout
    print("// Generated by tests/vectors/generate_pytorch_optimizer_vectors.py with PyTorch "
          f"{torch.__version__} (float64, generator seed of generate_pytorch_cnn_vectors.py); "
          "do not edit.", file=out)
    print("#pragma once\n\n#include <array>\n#include <cstddef>\n", file=out)
    print("namespace pytorch_optimizer_vectors {\n", file=out)
    emit("mlp", mlp_net, out)
    emit("conv", conv_net, out)
    print("}  // namespace pytorch_optimizer_vectors", file=out)


if __name__ == "__main__":
    main()

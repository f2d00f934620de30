#!/usr/bin/python3
"""Generates pytorch_cnn_vectors.hpp: outputs, losses and gradients of small conv/pool networks
computed by PyTorch in float64, the independent reference of tests/functional/pytorch_cnn_test.cpp.

Run offline, from the repository root, with Debian's python3-torch (1.13):
    /usr/bin/python3 tests/vectors/generate_pytorch_cnn_vectors.py > tests/vectors/pytorch_cnn_vectors.hpp
CI does not need PyTorch: the generated header is committed. The inputs come from a seeded
torch.Generator, so a rerun with the same PyTorch gives the same file.

Layouts: PyTorch computes on NCHW with OIHW conv weights and [out][in] linear weights;
constnn on HWC with HWIO weights and [in][out] dense weights. The script feeds PyTorch the
permuted input, flattens after permuting back to channels last (as constnn's flatten), and
writes every tensor in constnn's layout. `same` padding is TFLite's split (the extra row
or column after), applied with F.pad so that strided cases are covered too.
"""
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
gen = torch.Generator().manual_seed(20261201)


def uniform(*shape, lo=-1.0, hi=1.0):
    return lo + (hi - lo) * torch.rand(*shape, generator=gen)


def same_pad(n, k, s):
    out = (n + s - 1) // s
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


class Conv2d:
    def __init__(self, c, f, kh, kw, stride=1, same=False):
        self.w = uniform(f, c, kh, kw, lo=-0.6, hi=0.6).requires_grad_()
        self.b = uniform(f, lo=-0.2, hi=0.2).requires_grad_()
        self.k, self.stride, self.same = (kh, kw), stride, same

    def __call__(self, x):
        if self.same:
            top, bottom = same_pad(x.shape[2], self.k[0], self.stride)
            left, right = same_pad(x.shape[3], self.k[1], self.stride)
            x = F.pad(x, (left, right, top, bottom))
        return F.conv2d(x, self.w, self.b, stride=self.stride)

    def params(self):  # constnn: weights [KH][KW][C][F], then bias [F]
        return [self.w.permute(2, 3, 1, 0), self.b]


class Conv1d:
    def __init__(self, c, f, k, stride=1, same=False):
        self.w = uniform(f, c, k, lo=-0.6, hi=0.6).requires_grad_()
        self.b = uniform(f, lo=-0.2, hi=0.2).requires_grad_()
        self.k, self.stride, self.same = k, stride, same

    def __call__(self, x):
        if self.same:
            x = F.pad(x, same_pad(x.shape[2], self.k, self.stride))
        return F.conv1d(x, self.w, self.b, stride=self.stride)

    def params(self):  # constnn: weights [K][C][F], then bias [F]
        return [self.w.permute(2, 1, 0), self.b]


class Dense:
    def __init__(self, n, m):
        self.w = uniform(m, n, lo=-0.4, hi=0.4).requires_grad_()
        self.b = uniform(m, lo=-0.2, hi=0.2).requires_grad_()

    def __call__(self, x):
        return F.linear(x, self.w, self.b)

    def params(self):  # constnn: weights [In][Out], input-major, then bias [Out]
        return [self.w.t(), self.b]


def channels_last_flat(x):
    return x.permute(0, 2, 3, 1).flatten(1) if x.dim() == 4 else x.permute(0, 2, 1).flatten(1)


def image_net(h, w, c):
    conv1, conv2 = Conv2d(c, 3, 3, 3, same=True), Conv2d(3, 4, 2, 2, stride=2)
    dense = Dense(((h // 2 - 2) // 2 + 1) * ((w // 2 - 2) // 2 + 1) * 4, 3)
    layers = [conv1, conv2, dense]

    def run(x):  # x: [1][C][H][W]
        y = F.max_pool2d(F.relu(conv1(x)), 2)
        y = torch.tanh(conv2(y))
        return dense(channels_last_flat(y))
    return layers, run


def pooled_net(h, w, c):
    conv1, conv2 = Conv2d(c, 4, 3, 3, stride=2, same=True), Conv2d(4, 5, 3, 3)
    dense = Dense(5, 4)
    layers = [conv1, conv2, dense]

    def run(x):
        y = F.avg_pool2d(torch.sigmoid(conv1(x)), 2, stride=1)
        y = F.relu(conv2(y))
        y = y.mean(dim=(2, 3))  # global average pooling
        return dense(y)
    return layers, run


def series_net(n, c):
    conv1, conv2 = Conv1d(c, 4, 3, stride=2, same=True), Conv1d(4, 5, 3)
    dense = Dense(5, 3)
    layers = [conv1, conv2, dense]

    def run(x):  # x: [1][C][L]
        y = torch.sigmoid(conv1(x))
        y = torch.relu(conv2(y))
        return dense(y.mean(dim=2))
    return layers, run


def emit(name, layers, run, shape, label, out):
    x_cl = uniform(*shape)  # channels last, as constnn takes it
    x = x_cl.permute(2, 0, 1) if len(shape) == 3 else x_cl.permute(1, 0)
    logits = run(x.unsqueeze(0))
    loss = F.cross_entropy(logits, torch.tensor([label]))
    loss.backward()
    params, grads = [], []
    for layer in layers:
        for p_view, p in zip(layer.params(), [layer.w, layer.b]):
            params.append(p_view.detach().flatten())
            grads.append(p_view_grad(layer, p, p_view))
    probs = torch.softmax(logits, dim=1).detach().flatten()

    def arr(values):
        return ",\n    ".join(", ".join(repr(float(v)) for v in values[i:i + 4])
                              for i in range(0, len(values), 4))
    print(f"struct {name} {{", file=out)
    print(f"  static constexpr std::size_t label = {label};", file=out)
    print(f"  static constexpr double loss = {float(loss)!r};", file=out)
    for key, t in [("input", x_cl.flatten()), ("parameters", torch.cat(params)),
                   ("probabilities", probs), ("gradient", torch.cat(grads))]:
        print(f"  static constexpr std::array<double, {t.numel()}> {key}{{\n    {arr(t.tolist())}}};",
              file=out)
    print("};\n", file=out)


def p_view_grad(layer, p, p_view):
    # The gradient in constnn's layout: the same permutation as the parameter itself.
    g = p.grad
    if isinstance(layer, Conv2d) and p is layer.w:
        g = g.permute(2, 3, 1, 0)
    elif isinstance(layer, Conv1d) and p is layer.w:
        g = g.permute(2, 1, 0)
    elif isinstance(layer, Dense) and p is layer.w:
        g = g.t()
    return g.flatten()



def main():
    out = sys.stdout
    print("// Generated by tests/vectors/generate_pytorch_cnn_vectors.py with PyTorch "
          f"{torch.__version__} (float64, generator seed 20261201); do not edit.", file=out)
    print("#pragma once\n\n#include <array>\n#include <cstddef>\n\nnamespace pytorch_vectors {\n", file=out)
    emit("image_net", *image_net(8, 7, 2), (8, 7, 2), 2, out)
    emit("pooled_net", *pooled_net(9, 8, 1), (9, 8, 1), 1, out)
    emit("series_net", *series_net(11, 3), (11, 3), 0, out)
    print("}  // namespace pytorch_vectors", file=out)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Builds the quantized (QDQ) ONNX test models of the importer and PyTorch's outputs on them.

Run offline, from the repository root, with Debian's packages (python3-torch 1.13,
python3-onnx 1.12), after make_onnx_models.py (whose networks and training it reuses):

    /usr/bin/python3 tests/data/onnx/make_qdq_models.py ../shared/data/ocr

Each model is a float network trained as make_onnx_models.py trains it, then quantized after
training in TFLite's int8 scheme, written as ONNX QuantizeLinear/DequantizeLinear pairs:
activations int8 per tensor on grids calibrated on the training set (TFLite's
ChooseQuantizationParams), weights int8 symmetric per output channel (or per tensor), biases
at scale s_in * s_w. PyTorch runs the same graph with its fake-quantization operators, which
round as ONNX's QuantizeLinear does (half to even), and its outputs are the reference:

- qdq_ocr_cnn  the README's OCR CNN as torch.onnx.export writes a quantized model: float
               weights behind QuantizeLinear -> DequantizeLinear (already on their grid, so
               either side's rounding gives the same integers), float biases, ReLU before the
               QuantizeLinear it shares with its convolution, max pooling between grids
- qdq_mlp      make_onnx_models.py's MLP (Gemm, sigmoid, MatMul + Add, tanh, Gemm, softmax)
               as onnxruntime's quantizer writes one: int8 weight initializers, int32 bias
               initializers behind DequantizeLinear, the MatMul's weights with one scale,
               sigmoid and tanh followed by TFLite's fixed output grids (1/256, -128 and
               1/128, 0)

For each NAME: NAME.onnx, NAME.inputs.csv (label, then the features in constnn's order) and
NAME.outputs.csv: the int8 logits PyTorch's graph gives (on the logits' grid, before any
softmax) for each input row, then its class; and under refused/ qdq_*.onnx, quantized models
the importer must refuse, one per reason (see refused()).
"""

import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

from make_onnx_models import HERE, SAMPLES, Mlp, export, read_ocr, train
from ocr_cnn import OcrCnn


def choose_grid(lo, hi):
    """TFLite's ChooseQuantizationParams for int8: (scale, zero point) of [lo, hi]."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0
    from_min, from_max = -128 - lo / scale, 127 - hi / scale
    err_min, err_max = 128 + abs(lo / scale), 127 + abs(hi / scale)
    zero = from_min if err_min < err_max else from_max
    zero = -128 if zero < -128 else 127 if zero > 127 else int(np.floor(abs(zero) + 0.5)) * (
        1 if zero >= 0 else -1)
    return float(np.float32(scale)), zero


def fq(x, grid):
    return torch.fake_quantize_per_tensor_affine(x, grid[0], grid[1], -128, 127)


def weight_scales(w, per_channel):
    """max|w| / 127 per output channel (axis 0) or for the whole tensor, as float32."""
    if per_channel:
        return (w.detach().abs().reshape(w.shape[0], -1).amax(dim=1) / 127).float()
    return (w.detach().abs().max() / 127).float()


def fq_weight(w, scales, axis=0):
    """ONNX allows the fake-quant range (-128, 127) only; scales of max|w| / 127 keep every
    weight within [-127, 127], TFLite's symmetric range."""
    if scales.dim() == 0:
        return torch.fake_quantize_per_tensor_affine(w, float(scales), 0, -128, 127)
    return torch.fake_quantize_per_channel_affine(
        w, scales, torch.zeros(len(scales), dtype=torch.int32), axis, -128, 127)


def on_grid_bias(b, s_in, s_w):
    """A bias as an int32 on the grid s_in * s_w (float32, as ONNX's DequantizeLinear has it),
    rounded half away from zero as TFLite does, and its value."""
    scale = (torch.tensor(s_in, dtype=torch.float32) * s_w).float()
    q = torch.round(b.detach().double() / scale.double())  # torch.round: half to even
    exact = b.detach().double() / scale.double()
    q = torch.where((exact - torch.trunc(exact)).abs() == 0.5, torch.trunc(exact) + torch.sign(
        exact), q).to(torch.int64)
    return q, (q.float() * scale).float(), scale


class QdqOcrCnn(nn.Module):
    def __init__(self, float_model, grids):
        super().__init__()
        body = float_model.body
        self.c1, self.c2, self.fc = body[0], body[3], body[7]
        self.grids = grids
        # Weights put on their grid once, so the file's float weights are q * s exactly.
        with torch.no_grad():
            for layer in (self.c1, self.c2, self.fc):
                layer.weight.copy_(fq_weight(layer.weight, weight_scales(layer.weight, True)))
        self.scales = [weight_scales(layer.weight, True) for layer in (self.c1, self.c2, self.fc)]

    def forward(self, x):
        g = self.grids
        x = fq(x, g[0])
        x = fq(torch.relu(nn.functional.conv2d(x, fq_weight(self.c1.weight, self.scales[0]),
                                               self.c1.bias, padding=1)), g[1])
        x = nn.functional.max_pool2d(x, 2)
        x = fq(torch.relu(nn.functional.conv2d(x, fq_weight(self.c2.weight, self.scales[1]),
                                               self.c2.bias, padding=1)), g[2])
        x = torch.flatten(nn.functional.max_pool2d(x, 2), 1)
        return fq(nn.functional.linear(x, fq_weight(self.fc.weight, self.scales[2]), self.fc.bias),
                  g[3])


SIGMOID_GRID = (1.0 / 256, -128)
TANH_GRID = (1.0 / 128, 0)


class QdqMlp(nn.Module):
    def __init__(self, float_model, grids):
        super().__init__()
        self.grids = grids
        m = float_model
        self.s1 = weight_scales(m.first.weight, True)
        self.s2 = weight_scales(m.w, False)  # one scale for the MatMul's weights
        self.s3 = weight_scales(m.last.weight, True)
        # Parameters, so the export keeps them as named initializers instead of folding them.
        detached = lambda t: nn.Parameter(t.detach().clone(), requires_grad=False)
        self.w1, self.w2, self.w3 = detached(m.first.weight), detached(m.w), detached(m.last.weight)
        self.bias_ints = [on_grid_bias(m.first.bias, grids[0][0], self.s1),
                          on_grid_bias(m.b, SIGMOID_GRID[0], self.s2),
                          on_grid_bias(m.last.bias, TANH_GRID[0], self.s3)]
        self.b1, self.b2, self.b3 = (detached(value) for _, value, _ in self.bias_ints)
        self.logits_only = False

    def forward(self, x):
        g = self.grids
        x = fq(x, g[0])
        x = fq(nn.functional.linear(x, fq_weight(self.w1, self.s1), self.b1), g[1])
        x = fq(torch.sigmoid(x), SIGMOID_GRID)
        x = fq(torch.matmul(x, fq_weight(self.w2, self.s2)) + self.b2, g[2])
        x = fq(torch.tanh(x), TANH_GRID)
        x = fq(nn.functional.linear(x, fq_weight(self.w3, self.s3), self.b3), g[3])
        return x if self.logits_only else torch.softmax(x, dim=1)


def calibrate(outputs):
    """The grids of the tensors a float model's forward hooks saw, in order."""
    return [choose_grid(float(o.min()), float(o.max())) for o in outputs]


def as_onnxruntime_writes(path, biases):
    """Rewrites torch's export the way onnxruntime's quantizer stores a model: each weight's
    QuantizeLinear folded into an int8 initializer, each bias an int32 initializer behind a
    DequantizeLinear of scale s_in * s_w. biases: {float bias initializer name: (q, scale)}."""
    model = onnx.load(path)
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    consts = {n.output[0]: n for n in g.node if n.op_type == "Constant"}

    def value(name):
        if name in inits:
            return numpy_helper.to_array(inits[name])
        return numpy_helper.to_array(consts[name].attribute[0].t)

    keep = []
    for n in g.node:
        if n.op_type == "QuantizeLinear" and (n.input[0] in inits):
            w = value(n.input[0])
            scale = value(n.input[1]).astype(np.float32)
            zero = value(n.input[2])
            axis = next((a.i for a in n.attribute if a.name == "axis"), 1)
            shape = [1] * w.ndim
            if scale.ndim == 1:
                shape[axis] = len(scale)
            # ONNX's QuantizeLinear: saturate(round_half_even(x / scale) + zero point).
            q = np.rint(w / scale.reshape(shape)) + zero.reshape(shape if zero.ndim else [])
            q = np.clip(q, -128, 127).astype(np.int8)
            g.initializer.append(numpy_helper.from_array(q, n.output[0] + "_int8"))
            for d in g.node:
                for i, name in enumerate(d.input):
                    if name == n.output[0]:
                        d.input[i] = n.output[0] + "_int8"
            continue
        keep.append(n)
    del g.node[:]
    g.node.extend(keep)
    for name, (q, scale) in biases.items():
        init = inits[name]
        g.initializer.remove(init)
        g.initializer.append(numpy_helper.from_array(q.numpy().astype(np.int32), name + "_int32"))
        g.initializer.append(numpy_helper.from_array(scale.numpy().astype(np.float32),
                                                     name + "_scale"))
        g.initializer.append(numpy_helper.from_array(
            np.zeros(len(q), dtype=np.int32), name + "_zero"))
        dq = onnx.helper.make_node("DequantizeLinear",
                                   [name + "_int32", name + "_scale", name + "_zero"], [name],
                                   name=name + "_DequantizeLinear", axis=0)
        g.node.insert(0, dq)
    # Unused float weights go.
    used = {i for n in g.node for i in n.input}
    for t in [t for t in g.initializer if t.name not in used]:
        g.initializer.remove(t)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def write(name, model, x_test, y_test, to_constnn, logits_grid):
    x = torch.from_numpy(x_test[:SAMPLES])
    export(model, x[:1], os.path.join(HERE, name + ".onnx"))
    with torch.no_grad():
        if hasattr(model, "logits_only"):
            model.logits_only = True
        logits = model(x).numpy()
        if hasattr(model, "logits_only"):
            model.logits_only = False
    q = np.rint(logits / np.float32(logits_grid[0])).astype(np.int64) + logits_grid[1]
    with open(os.path.join(HERE, name + ".inputs.csv"), "w") as f:
        for label, row in zip(y_test[:SAMPLES], to_constnn(x_test[:SAMPLES]).reshape(len(x), -1)):
            f.write(str(int(label)) + "," + ",".join("%.9g" % v for v in row) + "\n")
    with open(os.path.join(HERE, name + ".outputs.csv"), "w") as f:
        for row in q:
            f.write(",".join(str(int(v)) for v in row) + "," + str(int(np.argmax(row))) + "\n")
    error = float(np.mean(np.argmax(q, axis=1) != y_test[:SAMPLES]))
    print("%-12s %d inputs, error %.3f" % (name, len(x), error))


class Tiny(nn.Module):
    """A 6x6 image -> conv 2 3x3 -> relu -> flatten -> dense 3, quantized in one way that
    constnn's int8 scheme cannot take (the variant)."""

    def __init__(self, variant):
        super().__init__()
        torch.manual_seed(5)
        self.variant = variant
        self.conv = nn.Conv2d(1, 2, 3)
        self.fc = nn.Linear(2 * 4 * 4, 3)
        self.s1, self.s2 = weight_scales(self.conv.weight, True), weight_scales(self.fc.weight, True)

    def forward(self, x):
        x = fq(x, (float(np.float32(1.0 / 255)), -128))
        x = nn.functional.conv2d(x, fq_weight(self.conv.weight, self.s1), self.conv.bias)
        if self.variant == "requantized_relu":
            # A grid after the convolution and another after its ReLU: constnn's int8 ReLU is
            # a clamp on its input's grid.
            x = fq(torch.relu(fq(x, (0.05, 10))), (0.03, -128))
        else:
            x = fq(torch.relu(x), (0.03, -128))
        x = torch.flatten(x, 1)
        if self.variant == "sigmoid_grid":
            x = fq(torch.sigmoid(x), (0.005, -128))
        x = nn.functional.linear(x, fq_weight(self.fc.weight, self.s2), self.fc.bias)
        return x if self.variant == "float_output" else fq(x, (0.1, 0))


def refused():
    """One model per refusal of a quantized model; the tests check each message."""
    out = os.path.join(HERE, "refused")
    for variant in ("requantized_relu", "sigmoid_grid", "float_output"):
        export(Tiny(variant).eval(), torch.zeros(1, 1, 6, 6),
               os.path.join(out, "qdq_" + variant + ".onnx"))

    # Edits of qdq_mlp.onnx (onnxruntime's form), each breaking one rule of the scheme.
    def edited(name, edit):
        model = onnx.load(os.path.join(HERE, "qdq_mlp.onnx"))
        edit(model.graph)
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(out, name))

    def node(g, name):
        return next(n for n in g.node if n.name == name)

    def constant_of(g, output):
        return next(n for n in g.node if n.op_type == "Constant" and n.output[0] == output)

    def uint8_input(g):
        # The input's QuantizeLinear and DequantizeLinear with a uint8 zero point.
        zero = constant_of(g, node(g, "/QuantizeLinear").input[2])
        zero.attribute[0].t.CopyFrom(numpy_helper.from_array(np.array(0, dtype=np.uint8)))

    def weight_zero_point(g):
        zero = constant_of(g, node(g, "/DequantizeLinear_1").input[2])
        z = numpy_helper.to_array(zero.attribute[0].t).copy()
        z[:] = 1
        zero.attribute[0].t.CopyFrom(numpy_helper.from_array(z))

    def bias_scale(g):
        t = next(t for t in g.initializer if t.name == "b1_scale")
        t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t) * 2, "b1_scale"))

    def requantized_input(g):
        # A second QuantizeLinear right after the input's, on another grid.
        dq = node(g, "/DequantizeLinear")
        g.initializer.append(numpy_helper.from_array(np.array(0.01, dtype=np.float32), "scale2"))
        g.initializer.append(numpy_helper.from_array(np.array(-100, dtype=np.int8), "zero2"))
        for n in g.node:
            for i, name in enumerate(n.input):
                if name == dq.output[0]:
                    n.input[i] = "again"
        at = list(g.node).index(dq) + 1
        g.node.insert(at, onnx.helper.make_node("QuantizeLinear", [dq.output[0], "scale2", "zero2"],
                                                ["requantized"], name="requantize"))
        g.node.insert(at + 1, onnx.helper.make_node("DequantizeLinear",
                                                    ["requantized", "scale2", "zero2"], ["again"],
                                                    name="dequantize_again"))

    edited("qdq_uint8_input.onnx", uint8_input)
    edited("qdq_requantized_input.onnx", requantized_input)
    edited("qdq_weight_zero_point.onnx", weight_zero_point)
    edited("qdq_bias_scale.onnx", bias_scale)


def main():
    torch.set_num_threads(1)
    ocr = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../../shared/data/ocr")
    x_train, y_train = read_ocr(os.path.join(ocr, "largeTrain.csv"))
    x_test, y_test = read_ocr(os.path.join(ocr, "largeValidation.csv"))
    input_grid = (float(np.float32(1.0 / 255)), -128)  # pixels in [0, 1]

    # The OCR CNN, trained as make_onnx_models.py trains it, calibrated on its training set.
    torch.manual_seed(0)
    image = lambda x: x.reshape(-1, 1, 16, 8)
    cnn = OcrCnn()
    train(cnn, torch.from_numpy(image(x_train)), torch.from_numpy(y_train), 6, 0.05)
    seen = []
    hooks = [cnn.body[i].register_forward_hook(lambda m, i, o: seen.append(o)) for i in (1, 4, 7)]
    with torch.no_grad():
        cnn(torch.from_numpy(image(x_train)))
    for h in hooks:
        h.remove()
    grids = [input_grid] + calibrate(seen)
    qcnn = QdqOcrCnn(cnn, grids).eval()
    write("qdq_ocr_cnn", qcnn, image(x_test), y_test, lambda x: x.transpose(0, 2, 3, 1), grids[3])

    # The MLP: its first Gemm, MatMul + Add and last Gemm outputs calibrated.
    torch.manual_seed(0)
    mlp = Mlp()
    train(mlp, torch.from_numpy(x_train), torch.from_numpy(y_train), 10, 0.1)
    with torch.no_grad():
        t = torch.from_numpy(x_train)
        a1 = mlp.first(t)
        a2 = torch.matmul(torch.sigmoid(a1), mlp.w) + mlp.b
        a3 = mlp.last(torch.tanh(a2))
    grids = [input_grid] + calibrate([a1, a2, a3])
    qmlp = QdqMlp(mlp, grids).eval()
    path = os.path.join(HERE, "qdq_mlp.onnx")
    write("qdq_mlp", qmlp, x_test, y_test, lambda x: x, grids[3])
    biases = {}
    for name, (q, _, scale) in zip(("b1", "b2", "b3"), qmlp.bias_ints):
        biases[name] = (q, scale if scale.dim() else scale.expand(len(q)).clone())
    as_onnxruntime_writes(path, biases)
    refused()


if __name__ == "__main__":
    main()

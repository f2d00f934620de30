#!/usr/bin/python3
"""Builds the ONNX test models of the importer and PyTorch's outputs on them.

The tests read what this writes and never need PyTorch: the importer must give the same
classes as PyTorch, and probabilities within 1e-5 absolute of PyTorch's, on every stored
input. Run offline, from the repository root, with Debian's packages
(python3-torch 1.13, python3-onnx 1.12):

    /usr/bin/python3 tests/data/onnx/make_onnx_models.py ../shared/data/ocr

It trains each model briefly (fixed seeds, CPU, one thread), exports it with
torch.onnx.export at opset 13 and writes, per model NAME:

- NAME.onnx             the exported model, checked by onnx.checker
- NAME.inputs.csv       the inputs, in train_export's CSV form (label, then the features in
                        constnn's order: H, W, C for an image, L, C for a series); the label is
                        the data set's, so the file serves as --validation
- NAME.outputs.csv      PyTorch's softmax probabilities for each input row, float32 printed
                        with 9 significant digits (exact for a float), then its class

and under refused/ the models the importer must refuse, one per reason (see REFUSED).
"""

import gzip
import os
import struct
import sys

import numpy as np
import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
# The README's OCR CNN, as the firmware example's PyTorch script defines it (its ocr_cnn.onnx
# and this folder's are the same bytes: the same seeds and training).
sys.path.insert(0, os.path.join(HERE, "../../../firmware_example/pytorch"))
from ocr_cnn import OcrCnn, train as train_sgd  # noqa: E402
OPSET = 13
SAMPLES = 200


def read_ocr(path):
    rows = np.loadtxt(path, delimiter=",", dtype=np.float32)
    return rows[:, 1:], rows[:, 0].astype(np.int64)


def read_fashion(images, labels, count):
    with gzip.open(images, "rb") as f:
        _, n, h, w = struct.unpack(">IIII", f.read(16))
        x = np.frombuffer(f.read(n * h * w), dtype=np.uint8).reshape(n, h, w)
    with gzip.open(labels, "rb") as f:
        f.read(8)
        y = np.frombuffer(f.read(n), dtype=np.uint8)
    return (x[:count].astype(np.float32) / 255.0), y[:count].astype(np.int64)


class Mlp(nn.Module):
    """Gemm (nn.Linear), Sigmoid, MatMul + Add (an explicit product), Tanh, Gemm, Softmax."""

    def __init__(self):
        super().__init__()
        self.first = nn.Linear(128, 32)
        self.w = nn.Parameter(torch.randn(32, 24) * 0.2)
        self.b = nn.Parameter(torch.zeros(24))
        self.last = nn.Linear(24, 10)

    def forward(self, x):
        x = torch.sigmoid(self.first(x))
        x = torch.tanh(torch.matmul(x, self.w) + self.b)
        return torch.softmax(self.last(x), dim=1)


class FashionCnn(nn.Module):
    """Batch norm after each conv (folded at import), average pooling, dropout (dropped),
    a stride-2 valid conv, global average pooling."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3), nn.BatchNorm2d(16), nn.ReLU(), nn.AvgPool2d(2),
            nn.Dropout(0.25), nn.Conv2d(16, 24, 3, stride=2), nn.Tanh(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(24, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x):
        return self.body(x)


class Series(nn.Module):
    """A 1-D convolution over the OCR letter read as 16 rows of 8 channels."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(8, 12, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(12, 12, 3), nn.Sigmoid(), nn.Flatten(), nn.Linear(12 * 6, 10))

    def forward(self, x):
        return self.body(x)


def train(model, x, y, epochs, lr):
    """The example script's training; models that end in Softmax give probabilities, the
    others logits."""
    if isinstance(model, Mlp):
        train_sgd(model, x, y, epochs, lr,
                  loss_of=lambda out, t: nn.functional.nll_loss(torch.log(out + 1e-12), t))
    else:
        train_sgd(model, x, y, epochs, lr)


def probabilities(model, x):
    with torch.no_grad():
        out = model(x)
    return out if isinstance(model, Mlp) else torch.softmax(out, dim=1)


def export(model, example, path, **kw):
    torch.onnx.export(model, example, path, opset_version=OPSET, input_names=["input"],
                      output_names=["output"], do_constant_folding=True, **kw)
    onnx.checker.check_model(onnx.load(path))


def write_csv(name, features, labels, probs):
    with open(os.path.join(HERE, name + ".inputs.csv"), "w") as f:
        for label, row in zip(labels, features):
            f.write(str(int(label)) + "," + ",".join("%.9g" % v for v in row) + "\n")
    with open(os.path.join(HERE, name + ".outputs.csv"), "w") as f:
        for row in probs:
            f.write(",".join("%.9g" % v for v in row) + "," + str(int(np.argmax(row))) + "\n")


def make(name, model, x_train, y_train, x_test, y_test, to_constnn, epochs, lr):
    """x_* in PyTorch's layout; to_constnn maps a batch to constnn's row-major order."""
    train(model, torch.from_numpy(x_train), torch.from_numpy(y_train), epochs, lr)
    x = torch.from_numpy(x_test[:SAMPLES])
    export(model, x[:1], os.path.join(HERE, name + ".onnx"))
    probs = probabilities(model, x).numpy()
    write_csv(name, to_constnn(x_test[:SAMPLES]).reshape(len(x), -1), y_test[:SAMPLES], probs)
    error = float(np.mean(np.argmax(probs, axis=1) != y_test[:SAMPLES]))
    print("%-12s %d inputs, error %.3f" % (name, len(x), error))


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 3)

    def forward(self, x, y):
        return self.a(x + y)


class TwoOutputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 3)

    def forward(self, x):
        z = self.a(x)
        return z, torch.relu(z)


def refused():
    """One model per refusal; the tests check the message names the node and the reason."""
    out = os.path.join(HERE, "refused")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(3)
    image = torch.zeros(1, 8, 6, 6)
    export(nn.Sequential(nn.Conv2d(8, 8, 3, groups=8), nn.Flatten(), nn.Linear(128, 3)),
           image, os.path.join(out, "grouped_conv.onnx"))
    export(nn.Sequential(nn.Linear(4, 5), nn.LeakyReLU(0.1), nn.Linear(5, 3)),
           torch.zeros(1, 4), os.path.join(out, "leaky_relu.onnx"))
    export(TwoInputs(), (torch.zeros(1, 4), torch.zeros(1, 4)), os.path.join(out, "two_inputs.onnx"))
    export(TwoOutputs(), torch.zeros(1, 4), os.path.join(out, "two_outputs.onnx"))
    export(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2 * 4 * 4, 3)),
           torch.zeros(1, 1, 6, 6), os.path.join(out, "dynamic_shape.onnx"),
           dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"}})
    export(nn.Sequential(nn.Linear(4, 5), nn.ReLU()), torch.zeros(1, 4),
           os.path.join(out, "ends_in_relu.onnx"))
    # PyTorch's padding=1 with stride 2 on an even side starts the windows one row above
    # constnn's 'same' (which puts the odd row of padding after), so the two differ.
    export(nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1), nn.Flatten(),
                         nn.Linear(2 * 3 * 3, 3)),
           torch.zeros(1, 1, 6, 6), os.path.join(out, "asymmetric_padding.onnx"))
    model = onnx.load(os.path.join(out, "leaky_relu.onnx"))
    model.opset_import[0].version = 5
    onnx.save(model, os.path.join(out, "opset_5.onnx"))
    # An experimental operator, which libonnx's checker passes with a warning on stdout: the
    # importer must refuse it in one line and keep the warning out of the tool's output.
    h = onnx.helper
    crop = h.make_graph(
        [h.make_node("Crop", ["input"], ["cropped"], name="crop", border=[1, 1, 1, 1]),
         h.make_node("Flatten", ["cropped"], ["flat"], name="flatten"),
         h.make_node("Gemm", ["flat", "w", "b"], ["output"], name="gemm", transB=1)],
        "experimental_op",
        [h.make_tensor_value_info("input", onnx.TensorProto.FLOAT, [1, 1, 6, 6])],
        [h.make_tensor_value_info("output", onnx.TensorProto.FLOAT, [1, 3])],
        [h.make_tensor("w", onnx.TensorProto.FLOAT, [3, 16], [0.0] * 48),
         h.make_tensor("b", onnx.TensorProto.FLOAT, [3], [0.0] * 3)])
    model = h.make_model(crop, opset_imports=[h.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "experimental_op.onnx"))


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    ocr = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../../shared/data/ocr")
    x_train, y_train = read_ocr(os.path.join(ocr, "largeTrain.csv"))
    x_test, y_test = read_ocr(os.path.join(ocr, "largeValidation.csv"))
    flat = lambda x: x
    make("mlp", Mlp(), x_train, y_train, x_test, y_test, flat, 10, 0.1)

    torch.manual_seed(0)
    image = lambda x: x.reshape(-1, 1, 16, 8)
    make("ocr_cnn", OcrCnn(), image(x_train), y_train, image(x_test), y_test,
         lambda x: x.transpose(0, 2, 3, 1), 6, 0.05)

    torch.manual_seed(0)
    # The letter's 16 rows as a series of 8 channels: PyTorch's N x C x L is the transpose.
    series = lambda x: x.reshape(-1, 16, 8).transpose(0, 2, 1).copy()
    make("series", Series(), series(x_train), y_train, series(x_test), y_test,
         lambda x: x.transpose(0, 2, 1), 8, 0.05)

    torch.manual_seed(0)
    fashion = "/usr/share/datasets/fashion-mnist"
    fx, fy = read_fashion(os.path.join(fashion, "train-images-idx3-ubyte.gz"),
                          os.path.join(fashion, "train-labels-idx1-ubyte.gz"), 6000)
    tx, ty = read_fashion(os.path.join(fashion, "t10k-images-idx3-ubyte.gz"),
                          os.path.join(fashion, "t10k-labels-idx1-ubyte.gz"), SAMPLES)
    make("fashion_cnn", FashionCnn(), fx[:, None], fy, tx[:, None], ty,
         lambda x: x.transpose(0, 2, 3, 1), 2, 0.05)

    refused()


if __name__ == "__main__":
    main()

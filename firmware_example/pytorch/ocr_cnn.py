#!/usr/bin/python3
"""Trains the README's OCR CNN in PyTorch and exports it as ONNX for train_export --from-onnx.

The first step of "from PyTorch to the device" (README.md): what a PyTorch user already has.
The network is the one the firmware example's CNN part runs (16x8x1 letters -> conv 8 3x3
same -> relu -> maxpool 2 -> conv 16 3x3 same -> relu -> maxpool 2 -> flatten -> dense 10),
so the exported model takes that part's place (CONSTNN_FIRMWARE_ONNX_CNN). Run with Debian's
packages (python3-torch 1.13, python3-onnx 1.12), from the repository root:

    /usr/bin/python3 firmware_example/pytorch/ocr_cnn.py ../shared/data/ocr ocr_cnn.onnx

ocr_cnn.onnx beside this script was made by exactly that command. The CSVs hold a label and
the 128 pixels of a 16x8 letter row by row, which is both PyTorch's 1 x 16 x 8 image and
constnn's 16x8x1, so the same file feeds both.
"""

import argparse
import os

import numpy as np
import onnx
import torch
from torch import nn


class OcrCnn(nn.Module):
    """The README's OCR CNN; it ends in logits (constnn adds softmax + cross-entropy)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 4 * 2, 10))

    def forward(self, x):
        return self.body(x)


def read_letters(path):
    rows = np.loadtxt(path, delimiter=",", dtype=np.float32)
    return torch.from_numpy(rows[:, 1:].reshape(-1, 1, 16, 8)), torch.from_numpy(
        rows[:, 0].astype(np.int64))


def train(model, x, y, epochs, lr, seed=1, loss_of=nn.functional.cross_entropy):
    """Mini-batches of 32 in a shuffled order, SGD with momentum 0.9, cross-entropy of the
    logits (or loss_of(outputs, labels))."""
    torch.manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for start in range(0, len(x), 32):
            idx = order[start:start + 32]
            loss = loss_of(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()


def export(model, example, path):
    """One example per call (constnn's batch), opset 13, the input named "input"."""
    torch.onnx.export(model, example, path, opset_version=13, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ocr_dir", help="folder with largeTrain.csv and largeValidation.csv")
    parser.add_argument("output", help="the ONNX file to write")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--predictions", metavar="FILE",
                        help="also write PyTorch's class of each validation letter, one per "
                             "line as train_export's --validation-labels does")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x, y = read_letters(os.path.join(args.ocr_dir, "largeTrain.csv"))
    vx, vy = read_letters(os.path.join(args.ocr_dir, "largeValidation.csv"))
    model = OcrCnn()
    train(model, x, y, args.epochs, args.lr)
    with torch.no_grad():
        classes = model(vx).argmax(dim=1)
    error = float((classes != vy).float().mean())
    if args.predictions:
        with open(args.predictions, "w") as f:
            f.writelines("%d\n" % c for c in classes.tolist())
    export(model, vx[:1], args.output)
    print("%s: validation error %.3f in PyTorch (%d letters)" % (args.output, error, len(vy)))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""PyTorch's training throughput for cnn_benchmark's network, one thread, in one line per batch size.

Run by constnn_cnn_benchmark in the same session as constnn's figures (Debian python3-torch);
by hand: /usr/bin/python3 tests/benchmarks/pytorch_cnn_throughput.py --examples 4000.
The network is the benchmark's: conv 3x3x8 same, ReLU, max pool 2x2, conv 3x3x16 same, ReLU,
max pool 2x2, dense 10, softmax cross-entropy, plain SGD, float32, on 28x28x1 images.
Prints "batch B: E examples/s" for B = 1 and 32 (best of --repeat passes).
"""
import argparse
import time

import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
parser.add_argument("--examples", type=int, default=4000)
parser.add_argument("--repeat", type=int, default=3)
args = parser.parse_args()
torch.set_num_threads(1)
torch.manual_seed(1)

net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(7 * 7 * 16, 10))
opt = torch.optim.SGD(net.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
x_all = torch.rand(args.examples, 1, 28, 28)
x_all[x_all < 0.5] = 0
y_all = torch.randint(0, 10, (args.examples,))

print(f"pytorch {torch.__version__}, threads {torch.get_num_threads()}")
for batch in (1, 32):
    best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        for b in range(0, args.examples - batch + 1, batch):
            opt.zero_grad()
            loss_fn(net(x_all[b:b + batch]), y_all[b:b + batch]).backward()
            opt.step()
        best = min(best, time.perf_counter() - start)
    done = (args.examples // batch) * batch
    print(f"batch {batch}: {done / best:.0f} examples/s")

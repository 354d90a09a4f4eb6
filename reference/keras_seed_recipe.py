"""An independent, Keras-faithful run of a seed recipe, in PyTorch: what Keras' `fit` would give.

The seed experiments were Keras programs:

    model = Sequential([Flatten(), Dense(256, "relu"), ..., Dense(10, "softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train / 255, y_train, epochs=50, batch_size=32, validation_split=0.2)
    model.evaluate(x_test / 255, y_test)

TensorFlow is not installable on the development machine, PyTorch is (Debian: python3-torch), so
this repeats exactly those steps with PyTorch tensors: glorot-uniform kernels and zero biases, the
last 20% of the training file held out before shuffling, a fresh full shuffle every epoch, the mean
cross-entropy from the logits beneath the softmax, and Keras' Adam (lr 0.001, β 0.9/0.999, ε 1e-7
added to √v before the bias correction; `--epsilon tfjs` adds it after, as TensorFlow.js does).
digit-lab's own runs are compared against its spread over seeds (README, "Results").

    apt-get install python3-torch libopenblas0-pthread
    python3 reference/keras_seed_recipe.py --data-dir ../shared/data/mnist --hidden 256-128-32 --epochs 50 --seed 0

Prints one JSON object: seed, hidden, epochs, testLoss, testAccuracy, history (val loss/accuracy, s).
"""
import argparse
import gzip
import json
import math
import sys
import time

import numpy as np
import torch


def read_idx(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True, help="folder with the four MNIST IDX files (gzip)")
    parser.add_argument("--hidden", default="256-128-32", help="hidden layer sizes, e.g. 128-64")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epsilon", choices=["keras", "tfjs"], default="keras", help="where Adam adds ε")
    args = parser.parse_args()
    torch.set_num_threads(1)

    root = args.data_dir.rstrip("/")
    x = read_idx(f"{root}/train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    y = read_idx(f"{root}/train-labels-idx1-ubyte.gz").astype(np.int64)
    x_test = read_idx(f"{root}/t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    y_test = read_idx(f"{root}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    n_train = int(len(x) * 0.8)  # Keras: the last 20% validates, split before any shuffling
    x_tr, y_tr, x_val, y_val = (torch.from_numpy(a) for a in (x[:n_train], y[:n_train], x[n_train:], y[n_train:]))
    x_test, y_test = torch.from_numpy(x_test), torch.from_numpy(y_test)

    generator = torch.Generator().manual_seed(args.seed)
    sizes = [784] + [int(h) for h in args.hidden.split("-")] + [10]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = math.sqrt(6 / (fan_in + fan_out))  # glorot_uniform
        params += [(torch.rand(fan_in, fan_out, generator=generator) * 2 - 1) * limit, torch.zeros(fan_out)]
    for p in params:
        p.requires_grad_(True)

    def logits(a):
        for i in range(0, len(params) - 2, 2):
            a = torch.relu(a @ params[i] + params[i + 1])
        return a @ params[-2] + params[-1]

    def evaluate(a, b):
        with torch.no_grad():
            z = logits(a)
            return torch.nn.functional.cross_entropy(z, b).item(), (z.argmax(1) == b).float().mean().item()

    lr, beta1, beta2, eps = 1e-3, 0.9, 0.999, 1e-7
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    step = 0
    history = []
    for epoch in range(args.epochs):
        start = time.time()
        order = torch.randperm(n_train, generator=generator)
        for s in range(0, n_train, 32):
            batch = order[s : s + 32]
            loss = torch.nn.functional.cross_entropy(logits(x_tr[batch]), y_tr[batch])
            grads = torch.autograd.grad(loss, params)
            step += 1
            with torch.no_grad():
                for p, g, mi, vi in zip(params, grads, m, v):
                    mi.mul_(beta1).add_(g, alpha=1 - beta1)
                    vi.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                    if args.epsilon == "keras":
                        p.sub_(lr * math.sqrt(1 - beta2**step) / (1 - beta1**step) * mi / (vi.sqrt() + eps))
                    else:
                        p.sub_(lr * (mi / (1 - beta1**step)) / ((vi / (1 - beta2**step)).sqrt() + eps))
        val_loss, val_accuracy = evaluate(x_val, y_val)
        history.append({"valLoss": val_loss, "valAccuracy": val_accuracy, "seconds": round(time.time() - start, 2)})
        print(f"seed {args.seed} epoch {epoch + 1}/{args.epochs}: val_acc {val_accuracy:.4f}", file=sys.stderr, flush=True)
    test_loss, test_accuracy = evaluate(x_test, y_test)
    print(json.dumps({"seed": args.seed, "hidden": args.hidden, "epochs": args.epochs, "epsilon": args.epsilon,
                      "testLoss": test_loss, "testAccuracy": test_accuracy, "history": history}))


if __name__ == "__main__":
    main()

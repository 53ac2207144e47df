"""The PyTorch peer of bench/suites/vae.ts: the same dense VAE trained the same way on the same data.

Run by the suite with Debian's /usr/bin/python3 (python3-torch). Reads the data and the initial weights
that the suite wrote as raw little-endian float32 files, trains, evaluates, and prints one JSON object.

    /usr/bin/python3 bench/peers/vae_torch.py --dir /tmp/latentkit-vae-bench-XXXX --epochs 20 \
        --batch 128 --lr 1e-3 --threads 1 --seed 7 --eval-samples 10

Files in --dir (written by the suite):
  manifest.json   {"train": N, "test": M, "inputDim": 784, "hidden": 512, "latent": 20,
                   "weights": [{"name": "encoder_1/kernel", "file": "w0.f32", "shape": [784, 512]}, ...]}
  x_train.f32     N x 784 pixels in {0, 1} (binarized at 0.5)
  x_test.f32      M x 784
  w<i>.f32        the tfjs model's initial weights, Keras layout (Dense kernels are [in, out])

Model and training, as latentkit's VAE({ inputShape: [784], hiddenUnits: [512], latentDim: 20 }):
x -> Linear 512 + ReLU -> (mean, logVar) Linear 20 each; z = mean + exp(logVar / 2) * eps; z -> Linear 512
+ ReLU -> Linear 784 logits. Loss per batch: mean over examples of [sum over pixels of BCE with logits +
closed-form KL]. Adam (lr, betas 0.9/0.999, eps 1e-7 as tfjs), reshuffled each epoch, last partial batch
kept. Test negative ELBO: per example, reconstruction averaged over --eval-samples draws + KL, in nats.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_f32(path, shape):
    return torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(shape).copy())


class VAE(torch.nn.Module):
    def __init__(self, input_dim, hidden, latent):
        super().__init__()
        self.encoder_1 = torch.nn.Linear(input_dim, hidden)
        self.mean = torch.nn.Linear(hidden, latent)
        self.logVar = torch.nn.Linear(hidden, latent)
        self.decoder_1 = torch.nn.Linear(latent, hidden)
        self.reconstruction = torch.nn.Linear(hidden, input_dim)

    def encode(self, x):
        h = F.relu(self.encoder_1(x))
        return self.mean(h), self.logVar(h)

    def decode_logits(self, z):
        return self.reconstruction(F.relu(self.decoder_1(z)))

    def terms(self, x, generator=None):
        """Per-example reconstruction NLL (one draw) and KL, in nats."""
        mean, log_var = self.encode(x)
        eps = torch.randn(mean.shape, generator=generator)
        z = mean + torch.exp(0.5 * log_var) * eps
        logits = self.decode_logits(z)
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)
        kl = 0.5 * (mean.pow(2) + log_var.exp() - 1.0 - log_var).sum(dim=1)
        return rec, kl


def load_weights(model, directory, manifest):
    layers = dict(model.named_children())
    with torch.no_grad():
        for w in manifest["weights"]:
            layer_name, kind = w["name"].split("/")
            t = read_f32(os.path.join(directory, w["file"]), w["shape"])
            layer = layers[layer_name]
            if kind == "kernel":
                layer.weight.copy_(t.t())  # Keras [in, out] -> torch [out, in]
            else:
                layer.bias.copy_(t)


def negative_elbo(model, x, samples, generator, batch=500):
    total = 0.0
    with torch.no_grad():
        for start in range(0, x.shape[0], batch):
            xb = x[start:start + batch]
            rec_sum = torch.zeros(xb.shape[0])
            kl = None
            for _ in range(samples):
                rec, kl = model.terms(xb, generator)
                rec_sum += rec
            total += float((rec_sum / samples + kl).sum())
    return total / x.shape[0]


def blas_info():
    """BLAS_INFO from the build config ('mkl', 'open', 'generic' ...), and a 128x784x512 matmul's GFLOP/s."""
    info = next((part.split("=", 1)[1] for part in torch.__config__.show().replace(",", " ").split()
                 if part.startswith("BLAS_INFO=")), "unknown")
    a, b = torch.randn(128, 784), torch.randn(784, 512)
    for _ in range(5):
        a @ b
    n, t0 = 50, time.perf_counter()
    for _ in range(n):
        a @ b
    return info, 2 * 128 * 784 * 512 * n / (time.perf_counter() - t0) / 1e9


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--eval-samples", type=int, default=10)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    blas, gflops = blas_info()
    torch.manual_seed(a.seed)
    with open(os.path.join(a.dir, "manifest.json")) as f:
        manifest = json.load(f)
    d = manifest["inputDim"]
    x_train = read_f32(os.path.join(a.dir, "x_train.f32"), (manifest["train"], d))
    x_test = read_f32(os.path.join(a.dir, "x_test.f32"), (manifest["test"], d))

    model = VAE(d, manifest["hidden"], manifest["latent"])
    load_weights(model, a.dir, manifest)
    optimizer = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-7)
    shuffle = torch.Generator().manual_seed(a.seed)
    noise = torch.Generator().manual_seed(a.seed + 1)

    n = x_train.shape[0]
    epochs = []
    for epoch in range(a.epochs):
        t0, c0 = time.perf_counter(), time.process_time()
        order = torch.randperm(n, generator=shuffle)
        loss_sum = 0.0
        model.train()
        for start in range(0, n, a.batch):
            xb = x_train[order[start:start + a.batch]]
            rec, kl = model.terms(xb, noise)
            loss = (rec + kl).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += float(loss) * xb.shape[0]
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        epochs.append({"epoch": epoch, "seconds": seconds, "cpuSeconds": cpu, "loss": loss_sum / n,
                       "examplesPerSecond": n / seconds, "examplesPerCpuSecond": n / cpu if cpu > 0 else None})
        print(f"[torch] epoch {epoch + 1}/{a.epochs}: loss {loss_sum / n:.2f}, {n / seconds:.0f} examples/s",
              file=sys.stderr, flush=True)

    model.eval()
    t0 = time.perf_counter()
    test_nelbo = negative_elbo(model, x_test, a.eval_samples, torch.Generator().manual_seed(a.seed + 2))
    json.dump({
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "blas": blas,
        "matmulGflops": gflops,
        "epochs": epochs,
        "testNegativeElbo": test_nelbo,
        "evalSeconds": time.perf_counter() - t0,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

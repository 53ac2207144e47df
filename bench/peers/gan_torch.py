"""PyTorch CPU peer of bench/suites/gan.ts: the same GANs, the same training step, timed.

Run by the bench suite with Debian's python (/usr/bin/python3, package python3-torch); never a package
dependency of latentkit. Usage:

    /usr/bin/python3 bench/peers/gan_torch.py '{"model": "dense", "steps": 50, "warmup": 5, "repeats": 3, "threads": 1}'

Prints one JSON object on stdout: the torch version, its BLAS, threads used, wall and CPU seconds and steps/s
of each timed repeat, and the last losses.

The models mirror latentkit's GAN builder (src/models/gan/nets.ts) layer for layer:
- dense: the course's GAN for flattened 28x28 digits. G: z(256) -> 256 tanh -> 256 tanh -> 784 tanh;
  D: 784 -> 32 tanh -> 1 (logit); Adam 1e-4 (D) and 1e-3 (G); batch 32.
- dcgan: G: z(100) -> dense 7*7*64 (no bias) -> BN -> relu -> reshape -> ConvTranspose 4x4/2 to 32 (no
  bias) -> BN -> relu -> ConvTranspose 4x4/2 to 1 -> tanh; D: Conv 4x4/2 to 32 -> LeakyReLU 0.2 -> Conv
  4x4/2 to 64 -> LeakyReLU 0.2 -> flatten -> 1 (logit); Adam 2e-4, beta1 0.5 for both; batch 64.
  ("same" padding in tfjs = padding 1 here for 4x4 kernels at stride 2: 28 -> 14 -> 7 and back.)

Adam uses eps 1e-7, as tfjs does. One step = one discriminator update on a real and a generated batch (scored in one pass, non-saturating
loss, binary cross-entropy on logits), then one generator update on fresh z, as latentkit's GANTask does.
The data are uniform random values in [-1, 1]: the cost of a step does not depend on them.
"""
import json
import sys
import time

import torch
from torch import nn


def dense_models():
    g = nn.Sequential(
        nn.Linear(256, 256), nn.Tanh(),
        nn.Linear(256, 256), nn.Tanh(),
        nn.Linear(256, 784), nn.Tanh(),
    )
    d = nn.Sequential(nn.Linear(784, 32), nn.Tanh(), nn.Linear(32, 1))
    return g, d, 256, (784,), 32, (1e-4, (0.9, 0.999)), (1e-3, (0.9, 0.999))


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def dcgan_models(gf=(64, 32), df=(32, 64), z=100):
    g = nn.Sequential(
        nn.Linear(z, 7 * 7 * gf[0], bias=False), nn.BatchNorm1d(7 * 7 * gf[0], momentum=0.1), nn.ReLU(),
        Reshape(gf[0], 7, 7),
        nn.ConvTranspose2d(gf[0], gf[1], 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(gf[1], momentum=0.1), nn.ReLU(),
        nn.ConvTranspose2d(gf[1], 1, 4, stride=2, padding=1), nn.Tanh(),
    )
    d = nn.Sequential(
        nn.Conv2d(1, df[0], 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Conv2d(df[0], df[1], 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(7 * 7 * df[1], 1),
    )
    return g, d, z, (1, 28, 28), 64, (2e-4, (0.5, 0.999)), (2e-4, (0.5, 0.999))


def blas_info():
    """BLAS_INFO of the build ('mkl', 'open', 'generic'...) and the GFLOP/s of a 256x784x256 matmul."""
    info = torch.__config__.show()
    blas = next((p.split("=", 1)[1] for p in info.replace(",", " ").split() if p.startswith("BLAS_INFO=")), "unknown")
    a, b = torch.randn(256, 784), torch.randn(784, 256)
    for _ in range(3):
        a @ b
    t0 = time.perf_counter()
    reps = 20
    for _ in range(reps):
        a @ b
    return blas, reps * 2 * 256 * 784 * 256 / (time.perf_counter() - t0) / 1e9


def main():
    args = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    model = args.get("model", "dense")
    steps = int(args.get("steps", 50))
    warmup = int(args.get("warmup", 5))
    repeats = int(args.get("repeats", 3))
    threads = int(args.get("threads", 1))
    torch.manual_seed(int(args.get("seed", 7)))
    torch.set_num_threads(threads)

    g, d, zdim, shape, batch, d_opt, g_opt = dense_models() if model == "dense" else dcgan_models()
    opt_d = torch.optim.Adam(d.parameters(), lr=d_opt[0], betas=d_opt[1], eps=1e-7)
    opt_g = torch.optim.Adam(g.parameters(), lr=g_opt[0], betas=g_opt[1], eps=1e-7)
    bce = nn.BCEWithLogitsLoss()
    data = torch.rand((steps * batch, *shape)) * 2 - 1
    ones = torch.ones(batch, 1)
    targets = torch.cat([torch.ones(batch, 1), torch.zeros(batch, 1)])
    g.train()
    d.train()
    losses = {}

    def step(i):
        real = data[(i % steps) * batch:(i % steps + 1) * batch]
        with torch.no_grad():
            fake = g(torch.randn(batch, zdim))
        opt_d.zero_grad(set_to_none=True)
        d_loss = bce(d(torch.cat([real, fake])), targets) * 2  # mean over each half, summed, as latentkit
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad(set_to_none=True)
        g_loss = bce(d(g(torch.randn(batch, zdim))), ones)
        g_loss.backward()
        opt_g.step()
        losses["d"] = d_loss.item()
        losses["g"] = g_loss.item()

    for i in range(warmup):
        step(i)
    runs = []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(steps):
            step(i)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        runs.append({"seconds": seconds, "cpuSeconds": cpu, "stepsPerSecond": steps / seconds, "stepsPerCpuSecond": steps / cpu if cpu > 0 else None})
    blas, gflops = blas_info()
    print(json.dumps({
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "blas": blas,
        "matmulGflops": gflops,
        "threads": torch.get_num_threads(),
        "model": model,
        "batchSize": batch,
        "steps": steps,
        "runs": runs,
        "finalDLoss": losses.get("d"),
        "finalGLoss": losses.get("g"),
    }))


if __name__ == "__main__":
    main()

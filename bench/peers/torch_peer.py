"""The PyTorch peer of every latentkit speed suite: the same networks, trained the same way, timed.

Run by the bench (bench/lib/peer.ts) with Debian's /usr/bin/python3, python3-torch and libopenblas0-pthread
(never a dependency of latentkit). It serves JSON lines on stdin/stdout, so that a suite can alternate
latentkit and PyTorch runs (A B A B ...) without paying Python's start-up each time:

    {"cmd": "info", "windows": 8}
        -> torch version, the BLAS library actually loaded, matmul GFLOP/s on 1 and 2 threads (by wall
           time, and by CPU time x threads: the speed when the threads have their cores)
    {"cmd": "train", "model": "denseAE", "threads": 1, "examples": 2048, "batch": 64}
        -> {"seconds", "cpuSeconds", "examples", "loss"}: one epoch over `examples` random examples
    {"cmd": "quit"}

    echo '{"cmd": "info"}' | /usr/bin/python3 bench/peers/torch_peer.py

Models mirror latentkit's builders layer for layer (Keras "same" padding with stride 2 is emulated with
padding 1 and, for transposed convolutions, output_padding 1: the same shapes and the same arithmetic):
- denseAE: 784-256-32-256-784, ReLU, sigmoid output, MSE, Adam 1e-3.
- convAE-transpose / convAE-upsample: the course's exercise 8 (Conv2D 32 3x3/2 same, Conv2D 32 3x3/2
  valid, MaxPool 2, Dense 32 code; the mirrored decoder as latentkit's convAE builds it), MSE,
  SGD 0.01 momentum 0.95.
- vaeDense: 784-512-(20, 20)-512-784, Bernoulli (BCE on logits, summed over pixels) + closed-form KL.
- vaeConv: Conv2D 32/2, 64/2 same -> Dense 16 (mean, logVar) -> Dense 3136 -> Conv2DTranspose 32/2, 1/2.
- ganDense: G z256-256-256-784 tanh, D 784-32 tanh-1; Adam 1e-4 (D), 1e-3 (G); non-saturating loss.
- dcgan: G z100 -> Dense 3136 (no bias) BN ReLU -> ConvT 32 4x4/2 (no bias) BN ReLU -> ConvT 1 4x4/2 tanh;
  D Conv 32 4x4/2, LeakyReLU 0.2, Conv 64 4x4/2, LeakyReLU 0.2, Dense 1; Adam 2e-4 beta1 0.5.
- assessmentCNN: the transfer-learning assessment's classifier (latentkit's imageClassifier 'assessment'
  preset): RandomZoom 0.1 (per image, bilinear, reflect fill, via affine_grid + grid_sample) and
  RandomContrast 0.2 (per image, clipped to [0, 1]) while training, Conv2D 64 3x3 same relu, BatchNorm,
  SeparableConv2D 64 3x3 same relu (depthwise 3x3 without bias + pointwise 1x1 with bias, as Keras),
  MaxPool 3/2 same, BatchNorm, SeparableConv2D 256, MaxPool 3/2 same, global average pool, Dropout 0.2,
  Dense 10, softmax cross-entropy on integer labels; Adam 0.002. BatchNorm momentum 0.01 (Keras's 0.99),
  eps 1e-3. Labels are random ids in [0, 10).
- lectureCNN: the CNN lecture's MNIST network (imageClassifier's default): Conv2D 16 3x3 valid relu,
  MaxPool 2, Dropout 0.25, Flatten, Dense 10 relu, Dropout 0.5, Dense 10; Adadelta lr 1, rho 0.95,
  eps 1e-7 (tfjs's).
- acgan: latentkit's dcgan defaults with conditioning 'acgan' (see dcgan_acgan): G of z and the one-hot
  digit, D with a real/fake and a 10-way class head; BCE + class cross-entropy (Odena et al.).
Initialisation: Glorot (Xavier) uniform kernels and zero biases, as Keras and latentkit. Adam eps 1e-7 as
tfjs. A GAN "example" is one row of a step's real batch: one step = one D update (real + generated batch)
and one G update on fresh z, as latentkit's GAN task. Data are random (the cost does not depend on them).
"""

import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def glorot(module):
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module


class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.shape[0], *self.shape)


def adam(params, lr, beta1=0.9):
    return torch.optim.Adam(params, lr=lr, betas=(beta1, 0.999), eps=1e-7)


class AETask:
    """An autoencoder trained on reconstruction (MSE)."""

    def __init__(self, net, shape, optimizer):
        self.net, self.shape, self.opt = net, shape, optimizer

    def step(self, x):
        self.opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(self.net(x), x)
        loss.backward()
        self.opt.step()
        return loss.detach()


def dense_ae():
    net = glorot(nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 32), nn.ReLU(),
        nn.Linear(32, 256), nn.ReLU(), nn.Linear(256, 784), nn.Sigmoid()))
    return AETask(net, (784,), adam(net.parameters(), 1e-3))


def conv_ae(decoder):
    enc = [
        nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),      # 28 -> 14 ('same')
        nn.Conv2d(32, 32, 3, stride=2), nn.ReLU(),                # 14 -> 6 ('valid')
        nn.MaxPool2d(2),                                          # 6 -> 3
        nn.Flatten(), nn.Linear(288, 32),                         # code
        nn.Linear(32, 288), nn.ReLU(), Reshape(32, 3, 3),
        nn.Upsample(scale_factor=2, mode="nearest"),              # un-pool: 3 -> 6
    ]
    if decoder == "transpose":
        dec = [
            nn.ConvTranspose2d(32, 32, 3, stride=2), nn.ReLU(),   # 6 -> 13 ('valid')
            nn.ZeroPad2d((0, 1, 0, 1)),                           # 13 -> 14
            nn.ConvTranspose2d(32, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),  # 14 -> 28
        ]
    else:
        dec = [
            nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),  # 6 -> 12
            nn.ZeroPad2d((1, 1, 1, 1)),                                                             # 12 -> 14
            nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(32, 1, 3, padding=1), nn.Sigmoid(),  # -> 28
        ]
    net = glorot(nn.Sequential(*enc, *dec))
    return AETask(net, (1, 28, 28), torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.95))


class VAETask:
    def __init__(self, encoder, mean, log_var, decoder, shape):
        self.encoder, self.mean, self.log_var, self.decoder, self.shape = encoder, mean, log_var, decoder, shape
        params = [p for m in (encoder, mean, log_var, decoder) for p in m.parameters()]
        self.opt = adam(params, 1e-3)

    def step(self, x):
        self.opt.zero_grad(set_to_none=True)
        h = self.encoder(x)
        mean, log_var = self.mean(h), self.log_var(h)
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        logits = self.decoder(z)
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(dim=1)
        kl = 0.5 * (mean.pow(2) + log_var.exp() - 1.0 - log_var).sum(dim=1)
        loss = (rec + kl).mean()
        loss.backward()
        self.opt.step()
        return loss.detach()


def vae_dense():
    enc = glorot(nn.Sequential(nn.Linear(784, 512), nn.ReLU()))
    dec = glorot(nn.Sequential(nn.Linear(20, 512), nn.ReLU(), nn.Linear(512, 784)))
    return VAETask(enc, glorot(nn.Linear(512, 20)), glorot(nn.Linear(512, 20)), dec, (784,))


def vae_conv():
    enc = glorot(nn.Sequential(
        nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten()))
    dec = glorot(nn.Sequential(
        nn.Linear(16, 3136), nn.ReLU(), Reshape(64, 7, 7),
        nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 3, stride=2, padding=1, output_padding=1)))
    return VAETask(enc, glorot(nn.Linear(3136, 16)), glorot(nn.Linear(3136, 16)), dec, (1, 28, 28))


class GANTask:
    def __init__(self, g, d, zdim, shape, d_opt, g_opt):
        self.g, self.d, self.zdim, self.shape = g, d, zdim, shape
        self.opt_d, self.opt_g = d_opt, g_opt

    def step(self, real):
        b = real.shape[0]
        with torch.no_grad():
            fake = self.g(torch.randn(b, self.zdim))
        self.opt_d.zero_grad(set_to_none=True)
        logits = self.d(torch.cat([real, fake]))
        targets = torch.cat([torch.ones(b, 1), torch.zeros(b, 1)])
        d_loss = F.binary_cross_entropy_with_logits(logits, targets) * 2  # mean of each half, summed
        d_loss.backward()
        self.opt_d.step()
        self.opt_g.zero_grad(set_to_none=True)
        g_loss = F.binary_cross_entropy_with_logits(self.d(self.g(torch.randn(b, self.zdim))), torch.ones(b, 1))
        g_loss.backward()
        self.opt_g.step()
        return d_loss.detach()


def gan_dense():
    g = glorot(nn.Sequential(nn.Linear(256, 256), nn.Tanh(), nn.Linear(256, 256), nn.Tanh(), nn.Linear(256, 784), nn.Tanh()))
    d = glorot(nn.Sequential(nn.Linear(784, 32), nn.Tanh(), nn.Linear(32, 1)))
    return GANTask(g, d, 256, (784,), adam(d.parameters(), 1e-4), adam(g.parameters(), 1e-3))


def dcgan():
    g = glorot(nn.Sequential(
        nn.Linear(100, 3136, bias=False), nn.BatchNorm1d(3136, eps=1e-3, momentum=0.01), nn.ReLU(), Reshape(64, 7, 7),
        nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(32, eps=1e-3, momentum=0.01), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1), nn.Tanh()))
    d = glorot(nn.Sequential(
        nn.Conv2d(1, 32, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Conv2d(32, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(3136, 1)))
    return GANTask(g, d, 100, (1, 28, 28), adam(d.parameters(), 2e-4, 0.5), adam(g.parameters(), 2e-4, 0.5))


class RandomZoomContrast(nn.Module):
    """Keras's RandomZoom(0.1) then RandomContrast(0.2), one draw per image, training only."""

    def __init__(self, zoom=0.1, contrast=0.2):
        super().__init__()
        self.zoom, self.contrast = zoom, contrast

    def forward(self, x):
        if not self.training:
            return x
        n = x.shape[0]
        scale = 1 + (torch.rand(n) * 2 - 1) * self.zoom
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0] = scale
        theta[:, 1, 1] = scale
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
        factor = (1 + (torch.rand(n, 1, 1, 1) * 2 - 1) * self.contrast)
        mean = x.mean(dim=(2, 3), keepdim=True)
        return ((x - mean) * factor + mean).clamp(0, 1)


def separable(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False), nn.Conv2d(cin, cout, 1))


class ClassifierTask:
    """A softmax classifier trained on cross-entropy with integer labels."""

    classes = 10
    labelled = True

    def __init__(self, net, shape, optimizer):
        self.net, self.shape, self.opt = net, shape, optimizer

    def step(self, x, y):
        self.opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(self.net(x), y)
        loss.backward()
        self.opt.step()
        return loss.detach()


def assessment_cnn():
    net = glorot(nn.Sequential(
        RandomZoomContrast(),
        nn.Conv2d(1, 64, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(64, eps=1e-3, momentum=0.01),
        separable(64, 64), nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1),                     # 28 -> 14 ('same')
        nn.BatchNorm2d(64, eps=1e-3, momentum=0.01),
        separable(64, 256), nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1),                     # 14 -> 7
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(256, 10)))
    net.train()
    return ClassifierTask(net, (1, 28, 28), adam(net.parameters(), 0.002))


def lecture_cnn():
    net = glorot(nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
        nn.Linear(16 * 13 * 13, 10), nn.ReLU(), nn.Dropout(0.5), nn.Linear(10, 10)))
    net.train()
    return ClassifierTask(net, (1, 28, 28), torch.optim.Adadelta(net.parameters(), lr=1.0, rho=0.95, eps=1e-7))


class ACGANTask:
    """An ACGAN (Odena et al.) as latentkit's GAN task trains one: D on real/fake (BCE, the two halves' means
    summed) plus the class cross-entropy of real and generated images, G on non-saturating BCE plus the
    class cross-entropy of its images; the fakes take the real batch's labels. With `separate` (batch
    statistics in D: batch norm or minibatch stddev) real and generated images go through D in two passes."""

    labelled = True

    def __init__(self, g, d, zdim, classes, shape, d_opt, g_opt, separate):
        self.g, self.d, self.zdim, self.classes, self.shape = g, d, zdim, classes, shape
        self.opt_d, self.opt_g, self.separate = d_opt, g_opt, separate

    def generate(self, y):
        return self.g(torch.cat([torch.randn(y.shape[0], self.zdim), y], dim=1))

    def judge(self, real, fake):
        if self.separate:
            (lr, cr), (lf, cf) = self.d(real), self.d(fake)
            return lr, cr, lf, cf
        logits, classes = self.d(torch.cat([real, fake]))
        b = real.shape[0]
        return logits[:b], classes[:b], logits[b:], classes[b:]

    def step(self, real, labels):
        b = real.shape[0]
        y = F.one_hot(labels, self.classes).float()
        with torch.no_grad():
            fake = self.generate(y)
        self.opt_d.zero_grad(set_to_none=True)
        lr, cr, lf, cf = self.judge(real, fake)
        d_loss = (F.binary_cross_entropy_with_logits(lr, torch.ones(b, 1)) + F.binary_cross_entropy_with_logits(lf, torch.zeros(b, 1))
                  + F.cross_entropy(cr, labels) + F.cross_entropy(cf, labels))
        d_loss.backward()
        self.opt_d.step()
        self.opt_g.zero_grad(set_to_none=True)
        logits, classes = self.d(self.generate(y))
        g_loss = F.binary_cross_entropy_with_logits(logits, torch.ones(b, 1)) + F.cross_entropy(classes, labels)
        g_loss.backward()
        self.opt_g.step()
        return d_loss.detach()


class TwoHeads(nn.Module):
    def __init__(self, body, features, classes):
        super().__init__()
        self.body, self.real, self.classes = body, nn.Linear(features, 1), nn.Linear(features, classes)

    def forward(self, x):
        h = self.body(x)
        return self.real(h), self.classes(h)


def dcgan_acgan(zdim=100, g_filters=(128, 64), d_filters=(64, 128), kernel=4, classes=10, dropout=0.0, d_batch_norm=False):
    """latentkit's dcgan architecture for 28x28x1 with conditioning 'acgan' (kernel 4: Keras 'same' padding is
    padding 1 here, output_padding 0, the same shapes and arithmetic)."""
    pad = (kernel - 1) // 2
    g = [nn.Linear(zdim + classes, 7 * 7 * g_filters[0], bias=False), nn.BatchNorm1d(7 * 7 * g_filters[0], eps=1e-3, momentum=0.1), nn.ReLU(), Reshape(g_filters[0], 7, 7)]
    for c_in, c_out in zip(g_filters, g_filters[1:]):
        g += [nn.ConvTranspose2d(c_in, c_out, kernel, stride=2, padding=pad, bias=False), nn.BatchNorm2d(c_out, eps=1e-3, momentum=0.1), nn.ReLU()]
    g += [nn.ConvTranspose2d(g_filters[-1], 1, kernel, stride=2, padding=pad), nn.Tanh()]
    d, c_in, size = [], 1, 28
    for i, c_out in enumerate(d_filters):
        bn = d_batch_norm and i > 0
        d += [nn.Conv2d(c_in, c_out, kernel, stride=2, padding=pad, bias=not bn)]
        d += [nn.BatchNorm2d(c_out, eps=1e-3, momentum=0.1)] if bn else []
        d += [nn.LeakyReLU(0.2)] + ([nn.Dropout(dropout)] if dropout > 0 else [])
        c_in, size = c_out, size // 2
    d += [nn.Flatten()]
    g, d = glorot(nn.Sequential(*g)), glorot(TwoHeads(nn.Sequential(*d), c_in * size * size, classes))
    return ACGANTask(g, d, zdim, classes, (1, 28, 28), adam(d.parameters(), 2e-4, 0.5), adam(g.parameters(), 2e-4, 0.5), d_batch_norm)


MODELS = {
    "assessmentCNN": assessment_cnn,
    "lectureCNN": lecture_cnn,
    "denseAE": dense_ae,
    "convAE-transpose": lambda: conv_ae("transpose"),
    "convAE-upsample": lambda: conv_ae("upsample"),
    "vaeDense": vae_dense,
    "vaeConv": vae_conv,
    "ganDense": gan_dense,
    "dcgan": dcgan,
    "acgan": dcgan_acgan,
}


_OPENBLAS = None


def set_threads(threads):
    """torch's intra-op threads and, for OpenBLAS (which torch built with BLAS_INFO=generic does not tell),
    OpenBLAS's own pthread pool, so that "1 thread" is one thread in the GEMMs too."""
    global _OPENBLAS
    torch.set_num_threads(threads)
    if _OPENBLAS is None:
        _OPENBLAS = False
        import ctypes
        # torch loads libblas.so.3 privately: open the OpenBLAS it mapped (dlopen returns the same copy).
        for path in blas_library().split(", "):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            if hasattr(lib, "openblas_set_num_threads"):
                _OPENBLAS = lib
                break
    if _OPENBLAS:
        _OPENBLAS.openblas_set_num_threads(threads)


def blas_library():
    """The BLAS shared library this process actually loaded (torch's build flag says 'generic' either way)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and ".so" in line}
    except OSError:
        return "unknown"
    resolved = sorted({os.path.realpath(p) for p in libs})
    return ", ".join(resolved) if resolved else "none loaded"


def matmul_gflops(m, k, n, threads, windows=8, seconds=0.1):
    """GFLOP/s of the best of several short windows, by wall time and by process CPU time. On a shared
    machine the best window is the closest to the library's own speed, and the CPU-time rate leaves out
    the time spent waiting for a core: both tell OpenBLAS (~200 here) from the reference BLAS (~5)."""
    set_threads(threads)
    a, b = torch.randn(m, k), torch.randn(k, n)
    for _ in range(3):
        a @ b
    best, best_cpu = 0.0, 0.0
    for _ in range(windows):
        reps, t0, c0 = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - t0 < seconds:
            a @ b
            reps += 1
        flop = 2 * m * k * n * reps / 1e9
        best = max(best, flop / (time.perf_counter() - t0))
        best_cpu = max(best_cpu, flop / max(time.process_time() - c0, 1e-9) * threads)
    return best, best_cpu


def info(windows=8):
    build = torch.__config__.show()
    blas_build = next((p.split("=", 1)[1] for p in build.replace(",", " ").split() if p.startswith("BLAS_INFO=")), "unknown")
    gflops, per_cpu = {}, {}
    for t in (1, 2):
        big, big_cpu = matmul_gflops(512, 512, 512, t, windows)
        small, small_cpu = matmul_gflops(64, 784, 256, t, windows)
        gflops[str(t)] = {"512^3": big, "64x784x256": small}
        per_cpu[str(t)] = {"512^3": big_cpu, "64x784x256": small_cpu}
    set_threads(1)
    return {"torch": torch.__version__, "python": sys.version.split()[0], "blasBuild": blas_build,
            "blasLibrary": blas_library(), "openblasThreadControl": bool(_OPENBLAS), "matmulGflops": gflops,
            "matmulGflopsPerCpu": per_cpu, "cores": os.cpu_count()}


TASKS = {}


def train(req):
    name = req["model"]
    threads = int(req.get("threads", 1))
    set_threads(threads)
    if name not in TASKS:
        torch.manual_seed(int(req.get("seed", 7)))
        TASKS[name] = MODELS[name]()
    task = TASKS[name]
    n, batch = int(req["examples"]), int(req["batch"])
    x = torch.rand((n, *task.shape))
    labelled = getattr(task, "labelled", False)
    if isinstance(task, (GANTask, ACGANTask)):
        x = x * 2 - 1
    labels = torch.randint(0, getattr(task, "classes", 1), (n,))
    t0, c0 = time.perf_counter(), time.process_time()
    order = torch.randperm(n)
    total = torch.zeros(())
    for start in range(0, n, batch):
        rows = order[start:start + batch]
        total += task.step(x[rows], labels[rows]) if labelled else task.step(x[rows])
    loss = float(total) / ((n + batch - 1) // batch)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpuSeconds": cpu, "examples": n, "threads": torch.get_num_threads(), "loss": loss}


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        try:
            if req["cmd"] == "info":
                out = info(int(req.get("windows", 8)))
            elif req["cmd"] == "train":
                out = train(req)
            elif req["cmd"] == "quit":
                break
            else:
                out = {"error": f"unknown command {req['cmd']}"}
        except Exception as e:  # reported to the suite, which records it
            out = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

"""The PyTorch peer of the quality suite (bench/suites/quality.ts): the same networks, from the same initial
weights, trained on the same data with the same schedule, and evaluated with the same measure.

Run by the suite with Debian's /usr/bin/python3 (python3-torch with libopenblas0-pthread):

    /usr/bin/python3 bench/peers/quality_torch.py --dir bench/results/quality/state/<case>/peer

The suite writes into --dir:
  manifest.json   what to run (below), written before the first run
  *.f32 / *.u8    raw little-endian arrays: initial weights (Keras layout) and data
The peer writes:
  state.pt        a checkpoint after every epoch: an interrupted run resumes from it
  result.json     the figures, when the schedule is done (a line per epoch goes to stderr meanwhile)

manifest.json:
  {"kind": "vae" | "ae", "seed": int, "threads": int, "epochs": int, "batch": int,
   "optimizer": {"name": "adam" | "sgd", "lr": float, "momentum": float, "milestones": [int], "gamma": float},
   "layers": [...], "data": {...}, "check": {...}, "eval": {...}}

- kind "ae": `layers` is latentkit's model as a chain (class name, config, weight files), translated layer
  for layer: Keras 'same' padding is TensorFlow's (the extra row and column go after, not split), a
  Conv2DTranspose is the full transposed convolution cropped as TensorFlow crops it, Flatten and Reshape
  read the NHWC order of Keras. Trained on MSE (mean over values) from `data.input` to `data.target`.
- kind "vae": pythae's dense VAE (784-400 ReLU -> 40 mean, 40 logVar; 40-400 ReLU -> 784 logits), trained on
  the negative ELBO (Bernoulli, summed over pixels, closed-form KL, mean over the batch), each epoch on a
  fresh Bernoulli draw of the grey-level training digits (dynamic binarization); evaluated with the
  importance-sampled NLL of latentkit's vae.nll (Burda et al.) on the binarized test digits.
- `check`: the suite's outputs of the initial network on a few test inputs: the peer refuses to train when
  its own outputs differ (it is then not the same network).
Shuffling, binarization draws and reparameterization noise come from torch generators seeded from `seed`:
the same distributions as latentkit's, not the same numbers.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def read(directory, spec):
    dtype = {"f32": "<f4", "u8": "u1"}[spec["dtype"]]
    return torch.from_numpy(np.fromfile(os.path.join(directory, spec["file"]), dtype=dtype).reshape(spec["shape"]).copy())


ACTIVATIONS = {"linear": lambda x: x, "relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
               "elu": F.elu, "selu": F.selu, "softplus": F.softplus, "leakyRelu": lambda x: F.leaky_relu(x, 0.2)}


def same_pads(size, kernel, stride):
    """TensorFlow's 'same' padding of one axis: (before, after), the odd one after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class Layer(nn.Module):
    """One Keras layer of a chain, in PyTorch. Tensors are NCHW inside convolutions, flat in Dense."""

    def __init__(self, spec, directory):
        super().__init__()
        self.cls, c = spec["className"], spec["config"]
        self.c = c
        self.act = ACTIVATIONS[c.get("activation", "linear")]
        weights = [read(directory, w) for w in spec.get("weights", [])]
        if self.cls == "Dense":
            self.weight = nn.Parameter(weights[0].t().contiguous())
            self.bias = nn.Parameter(weights[1]) if len(weights) > 1 else None
        elif self.cls in ("Conv2D", "Conv2DTranspose"):
            # Keras Conv2D [kh, kw, in, out] -> [out, in, kh, kw]; Conv2DTranspose [kh, kw, out, in] -> [in, out, kh, kw].
            self.weight = nn.Parameter(weights[0].permute(3, 2, 0, 1).contiguous())
            self.bias = nn.Parameter(weights[1]) if len(weights) > 1 else None
        elif weights:
            raise ValueError(f"layer {spec['name']} ({self.cls}) has weights the peer does not know")
        if self.cls not in ("Dense", "Conv2D", "Conv2DTranspose", "Activation", "Flatten", "Reshape", "MaxPooling2D",
                            "UpSampling2D", "ZeroPadding2D", "Cropping2D", "InputLayer"):
            raise ValueError(f"layer {spec['name']}: class {self.cls} has no PyTorch translation in quality_torch.py")

    def forward(self, x):
        c = self.c
        if self.cls == "Dense":
            return self.act(F.linear(x, self.weight, self.bias))
        if self.cls == "Activation":
            return self.act(x)
        if self.cls == "Flatten":
            return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        if self.cls == "Reshape":
            h, w, ch = c["targetShape"]
            return x.reshape(x.shape[0], h, w, ch).permute(0, 3, 1, 2)
        if self.cls == "Conv2D":
            (kh, kw), (sh, sw) = c["kernelSize"], c["strides"]
            if c["padding"] == "same":
                top, bottom = same_pads(x.shape[2], kh, sh)
                left, right = same_pads(x.shape[3], kw, sw)
                x = F.pad(x, (left, right, top, bottom))
            return self.act(F.conv2d(x, self.weight, self.bias, stride=(sh, sw)))
        if self.cls == "Conv2DTranspose":
            (kh, kw), (sh, sw) = c["kernelSize"], c["strides"]
            h, w = x.shape[2], x.shape[3]
            y = F.conv_transpose2d(x, self.weight, self.bias, stride=(sh, sw))
            if c["padding"] == "same":
                top = same_pads(h * sh, kh, sh)[0]
                left = same_pads(w * sw, kw, sw)[0]
                y = y[:, :, top:top + h * sh, left:left + w * sw]
            return self.act(y)
        if self.cls == "MaxPooling2D":
            return F.max_pool2d(x, c["poolSize"], c["strides"])
        if self.cls == "UpSampling2D":
            return F.interpolate(x, scale_factor=tuple(c["size"]), mode="nearest")
        if self.cls == "ZeroPadding2D":
            (t, b), (l, r) = c["padding"]
            return F.pad(x, (l, r, t, b))
        if self.cls == "Cropping2D":
            (t, b), (l, r) = c["cropping"]
            return x[:, :, t:x.shape[2] - b, l:x.shape[3] - r]
        return x


class Chain(nn.Module):
    def __init__(self, layers, directory, image):
        super().__init__()
        self.layers = nn.ModuleList(Layer(s, directory) for s in layers)
        self.image = image

    def forward(self, x):
        if self.image:
            x = x.permute(0, 3, 1, 2)  # NHWC (Keras) -> NCHW
        for layer in self.layers:
            x = layer(x)
        return x.permute(0, 2, 3, 1) if x.dim() == 4 else x


class DenseVAE(nn.Module):
    """pythae's VAE, built from latentkit's layers encoder_1, mean, logVar, decoder_1, reconstruction."""

    def __init__(self, layers, directory):
        super().__init__()
        by_name = {s["name"]: Layer(s, directory) for s in layers if s["className"] == "Dense"}
        self.encoder_1, self.mean, self.logVar = by_name["encoder_1"], by_name["mean"], by_name["logVar"]
        self.decoder_1, self.reconstruction = by_name["decoder_1"], by_name["reconstruction"]

    def encode(self, x):
        h = self.encoder_1(x)
        return self.mean(h), self.logVar(h)

    def logits(self, z):
        return self.reconstruction(self.decoder_1(z))


def vae_terms(model, x, generator):
    mean, log_var = model.encode(x)
    z = mean + torch.exp(0.5 * log_var) * torch.randn(mean.shape, generator=generator)
    rec = F.binary_cross_entropy_with_logits(model.logits(z), x, reduction="none").sum(dim=1)
    kl = 0.5 * (mean.pow(2) + log_var.exp() - 1.0 - log_var).sum(dim=1)
    return rec, kl


def vae_nll(model, x, samples, generator, batch=500):
    """Per-example -log (1/K) sum_k p(x|z_k) p(z_k) / q(z_k|x), z_k ~ q(z|x), as latentkit's vae.nll."""
    out = []
    with torch.no_grad():
        for start in range(0, x.shape[0], batch):
            xb = x[start:start + batch]
            mean, log_var = model.encode(xb)
            scale, lv_sum = torch.exp(0.5 * log_var), log_var.sum(dim=1)
            log_w = torch.empty(samples, xb.shape[0], dtype=torch.float64)
            for k in range(samples):
                eps = torch.randn(mean.shape, generator=generator)
                z = mean + scale * eps
                log_px = -F.binary_cross_entropy_with_logits(model.logits(z), xb, reduction="none").sum(dim=1)
                log_w[k] = (log_px - 0.5 * ((z * z - eps * eps).sum(dim=1) - lv_sum)).double()
            out.append(-(torch.logsumexp(log_w, dim=0) - math.log(samples)))
    return torch.cat(out)


def check_same_network(m, model, directory):
    """Compares the initial network's outputs with latentkit's on the same inputs."""
    check = m["check"]
    x = read(directory, check["input"])
    with torch.no_grad():
        if m["kind"] == "vae":
            mean, log_var = model.encode(x)
            mine = torch.cat([mean, log_var, torch.sigmoid(model.logits(mean))], dim=1)
        else:
            mine = model(x)
    theirs = read(directory, check["output"]).reshape(mine.shape)
    diff = float((mine - theirs).abs().max())
    if not diff <= check["tolerance"]:
        raise SystemExit(f"quality_torch.py: not the same network: outputs differ from latentkit's by {diff:g} "
                         f"(tolerance {check['tolerance']:g})")
    return diff


def make_optimizer(spec, params):
    if spec["name"] == "adam":
        return torch.optim.Adam(params, lr=spec["lr"], betas=(0.9, 0.999), eps=1e-7)
    if spec["name"] == "sgd":
        return torch.optim.SGD(params, lr=spec["lr"], momentum=spec.get("momentum", 0.0))
    raise ValueError(f"optimizer {spec['name']}")


def rate_at(spec, epoch):
    return spec["lr"] * spec.get("gamma", 1.0) ** sum(1 for e in spec.get("milestones", []) if epoch >= e)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    a = p.parse_args()
    d = a.dir
    with open(os.path.join(d, "manifest.json")) as f:
        m = json.load(f)
    torch.set_num_threads(m.get("threads", 1))
    torch.manual_seed(m["seed"])
    vae = m["kind"] == "vae"
    model = DenseVAE(m["layers"], d) if vae else Chain(m["layers"], d, m.get("image", True))
    data = {k: read(d, v).float() / (255.0 if v["dtype"] == "u8" else 1.0) for k, v in m["data"].items()}
    n = data["train"].shape[0] if vae else data["input"].shape[0]
    opt = make_optimizer(m["optimizer"], model.parameters())
    shuffle = torch.Generator().manual_seed(m["seed"])
    noise = torch.Generator().manual_seed(m["seed"] + 1)
    state = {"epoch": 0, "history": [], "seconds": 0.0, "evals": []}
    checkpoint = os.path.join(d, "state.pt")
    if os.path.exists(checkpoint):
        saved = torch.load(checkpoint)
        model.load_state_dict(saved["model"])
        opt.load_state_dict(saved["optimizer"])
        shuffle.set_state(saved["shuffle"])
        noise.set_state(saved["noise"])
        state = saved["state"]
        print(f"[torch] resumed at epoch {state['epoch']}", file=sys.stderr, flush=True)
    else:
        state["checkDiff"] = check_same_network(m, model, d)
    evaluate_at = set(m["eval"].get("epochs", []))

    def evaluate():
        model.eval()
        t0 = time.perf_counter()
        with torch.no_grad():
            if vae:
                per = vae_nll(model, data["test"], m["eval"]["samples"], torch.Generator().manual_seed(m["seed"] + 2))
                figures = {"nll": float(per.mean())}
            else:
                out = torch.cat([model(data["testInput"][s:s + 500]) for s in range(0, data["testInput"].shape[0], 500)])
                figures = {"testMse": float(((out - data["testTarget"]) ** 2).mean())}
        figures["seconds"] = time.perf_counter() - t0
        return figures

    while state["epoch"] < m["epochs"]:
        e = state["epoch"]
        for group in opt.param_groups:
            group["lr"] = rate_at(m["optimizer"], e)
        t0 = time.perf_counter()
        model.train()
        order = torch.randperm(n, generator=shuffle)
        train = torch.bernoulli(data["train"], generator=noise) if vae else None
        total = 0.0
        for start in range(0, n, m["batch"]):
            idx = order[start:start + m["batch"]]
            if vae:
                rec, kl = vae_terms(model, train[idx], noise)
                loss = (rec + kl).mean()
            else:
                loss = F.mse_loss(model(data["input"][idx]), data["target"][idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss) * idx.shape[0]
        seconds = time.perf_counter() - t0
        state["seconds"] += seconds
        state["history"].append(total / n)
        state["epoch"] = e + 1
        line = f"[torch] epoch {e + 1}/{m['epochs']}: loss {total / n:.4f}, {seconds:.1f} s"
        if e + 1 in evaluate_at:
            figures = evaluate()
            state["evals"].append({"epoch": e + 1, **figures})
            line += f", {json.dumps(figures)}"
        print(line, file=sys.stderr, flush=True)
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "shuffle": shuffle.get_state(),
                    "noise": noise.get_state(), "state": state}, checkpoint + ".tmp")
        os.replace(checkpoint + ".tmp", checkpoint)

    final = next((ev for ev in state["evals"] if ev["epoch"] == m["epochs"]), None) or evaluate()
    result = {"torch": torch.__version__, "python": sys.version.split()[0], "threads": torch.get_num_threads(),
              "epochs": state["epoch"], "trainSeconds": state["seconds"], "history": state["history"],
              "evals": state["evals"], "final": final, "checkDiff": state.get("checkDiff")}
    with open(os.path.join(d, "result.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()

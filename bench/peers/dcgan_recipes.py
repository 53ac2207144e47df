"""PyTorch peer of `examples/gan-mnist.ts`'s protocol, to try DCGAN recipes fast and to check latentkit's
DCGAN against an independent implementation.

The digits are the example's 6,000 (written by `npx tsx bench/dcganJudge.ts --dump DIR` as `x.f32`,
[6000, 28, 28] in [0, 1]); the network is latentkit's dcgan architecture: z -> Linear 7x7xG0 (no bias) + BN
+ ReLU -> per further entry of G a stride-2 transposed convolution (kernel k, no bias) + BN + ReLU -> a
stride-2 transposed convolution to 1 channel + tanh; D: stride-2 convolutions (kernel k) + leaky ReLU 0.2
(optional BN after the first, dropout) -> Linear 1. Glorot-uniform weights, Adam (beta1 0.5, eps 1e-7),
non-saturating loss, D on a real and a generated batch, then `gsteps` G updates; BN momentum 0.1 (Keras
0.9), eps 1e-3. Every 5 epochs it writes 1,000 samples of a fixed z (eval mode) as `r-NAME-EPOCH.f32`,
judged afterwards by `bench/dcganJudge.ts`.

    /usr/bin/python3 bench/peers/dcgan_recipes.py DIR NAME '{"gsteps": 2, "batch": 16}'

Keys (defaults = the example's setting): zdim 64, g [64, 32], d [32, 64], k 4, batch 64, lrd/lrg 2e-4,
gsteps 1, drop 0, ls 0 (one-sided label smoothing), r1 0 (R1 penalty's gamma), gact relu|lrelu, dbn false, decay 1 (both rates fall
geometrically to this factor at the last epoch, as latentkit's learningRateDecay), epochs 15, seed 42,
info 0 (InfoGAN: that many categorical codes beside z, a Q head on D's features), loss ns|lsq|hinge (non-saturating, least squares, hinge), sn false (spectral normalisation of every D layer),
truncs [] (at the last epoch also the samples of z scaled by each factor: the truncation trick), trainmode false
(at the last epoch also the samples drawn with batch statistics, `r-NAME-EPOCH-bs.f32`).
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_peer import Reshape, glorot  # the suites' peer: the same layers and initialisation

torch.set_num_threads(1)
out_dir, name, a = sys.argv[1], sys.argv[2], json.loads(sys.argv[3] if len(sys.argv) > 3 else '{}')
torch.manual_seed(a.get('seed', 42))
zdim, gf, df, k = a.get('zdim', 64), a.get('g', [64, 32]), a.get('d', [32, 64]), a.get('k', 4)
b, lrd, lrg, gsteps = a.get('batch', 64), a.get('lrd', 2e-4), a.get('lrg', 2e-4), a.get('gsteps', 1)
drop, ls, dbn, epochs = a.get('drop', 0.0), a.get('ls', 0.0), a.get('dbn', False), a.get('epochs', 15)
decay, r1, info = a.get('decay', 1.0), a.get('r1', 0.0), a.get('info', 0)
sn, truncs, loss = a.get('sn', False), a.get('truncs', []), a.get('loss', 'ns')


def adv(logits, target):
    """The adversarial loss of logits against a target (1 real, 0 generated; smoothed real below 1)."""
    if loss == 'ns':
        return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))
    if loss == 'lsq':  # least squares (Mao et al. 2017) on the raw output
        return (logits - target).pow(2).mean()
    # hinge (Lim and Ye; Miyato et al.): D max(0, 1 - D(x)) + max(0, 1 + D(G(z))); G -D(G(z))
    return F.relu(1 - logits).mean() if target > 0 else F.relu(1 + logits).mean()

act = nn.ReLU if a.get('gact', 'relu') == 'relu' else (lambda: nn.LeakyReLU(0.2))
x = torch.from_numpy(np.fromfile(f'{out_dir}/x.f32', dtype=np.float32).reshape(-1, 1, 28, 28) * 2 - 1)


def up(cin, cout, bias):
    return nn.ConvTranspose2d(cin, cout, k, stride=2, padding=(k - 1) // 2, output_padding=k % 2, bias=bias)


layers = [nn.Linear(zdim + info, 49 * gf[0], bias=False), nn.BatchNorm1d(49 * gf[0], eps=1e-3), act(), Reshape(gf[0], 7, 7)]
for i in range(1, len(gf)):
    layers += [up(gf[i - 1], gf[i], False), nn.BatchNorm2d(gf[i], eps=1e-3), act()]
g = glorot(nn.Sequential(*layers, up(gf[-1], 1, True), nn.Tanh()))
layers, cin = [], 1

for i, f in enumerate(df):
    layers.append(nn.Conv2d(cin, f, k, stride=2, padding=(k - 1) // 2 if k % 2 else 1))
    if dbn and i > 0:
        layers.append(nn.BatchNorm2d(f, eps=1e-3))
    layers.append(nn.LeakyReLU(0.2))
    if drop:
        layers.append(nn.Dropout(drop))
    cin = f
d = nn.Sequential(*layers, nn.Flatten())
features = d(torch.zeros(2, 1, 28, 28)).shape[1]
trunk = d
d = glorot(nn.Sequential(d, nn.Linear(features, 1)))
if sn:
    for m in list(d.modules()):
        for child_name, child in list(m.named_children()):
            if isinstance(child, (nn.Conv2d, nn.Linear)):
                setattr(m, child_name, nn.utils.spectral_norm(child))
q = glorot(nn.Linear(features, info)) if info else None  # InfoGAN's Q head on D's features: which code made this sample


def latent(m, codes=None):
    z = torch.randn(m, zdim)
    if not info:
        return z, None
    c = torch.randint(0, info, (m,)) if codes is None else codes
    return torch.cat([z, F.one_hot(c, info).float()], 1), c


od = torch.optim.Adam(list(d.parameters()) + (list(q.parameters()) if q else []), lrd, betas=(0.5, 0.999), eps=1e-7)
og = torch.optim.Adam(g.parameters(), lrg, betas=(0.5, 0.999), eps=1e-7)
n, steps, t0 = x.shape[0], 0, time.time()
zfix = torch.randn(1000, zdim, generator=torch.Generator().manual_seed(7))
if info:  # codes drawn uniformly, as an unconditional sample draws them
    zfix = torch.cat([zfix, F.one_hot(torch.randint(0, info, (1000,), generator=torch.Generator().manual_seed(8)), info).float()], 1)
for e in range(epochs):
    for opt, lr in ((od, lrd), (og, lrg)):
        for group in opt.param_groups:
            group['lr'] = lr * decay ** (e / max(1, epochs - 1))
    perm = torch.randperm(n)
    for i in range(0, n - b + 1, b):
        real = x[perm[i:i + b]]
        zc, c = latent(b)
        with torch.no_grad():
            fake = g(zc)
        od.zero_grad()
        real.requires_grad_(r1 > 0)
        real_logits = d(real)
        d_loss = adv(real_logits, 1 - ls) + adv(d(fake), 0.0)
        if info:
            d_loss = d_loss + F.cross_entropy(q(trunk(fake)), c)
        if r1 > 0:  # R1 (Mescheder et al. 2018): gamma / 2 * E ||grad_x D(x)||^2 on real examples
            grad, = torch.autograd.grad(real_logits.sum(), real, create_graph=True)
            d_loss = d_loss + r1 / 2 * grad.pow(2).sum(dim=(1, 2, 3)).mean()
        d_loss.backward()
        od.step()
        for _ in range(gsteps):
            og.zero_grad()
            zc, c = latent(b)
            fake = g(zc)
            g_loss = -d(fake).mean() if loss == 'hinge' else adv(d(fake), 1.0)
            if info:
                g_loss = g_loss + F.cross_entropy(q(trunk(fake)), c)
            g_loss.backward()
            og.step()
        steps += 1
    if (e + 1) % 5 == 0 or e + 1 == epochs:
        g.eval()
        with torch.no_grad():
            g(zfix).numpy().astype(np.float32).tofile(f'{out_dir}/r-{name}-{e + 1}.f32')
            for psi in truncs if e + 1 == epochs else []:  # the truncation trick: z scaled by psi
                zt = torch.cat([zfix[:, :zdim] * psi, zfix[:, zdim:]], 1)
                g(zt).numpy().astype(np.float32).tofile(f'{out_dir}/r-{name}-{e + 1}-t{psi}.f32')
        g.train()
        if e + 1 == epochs and a.get('trainmode'):  # batch statistics instead of the running averages
            with torch.no_grad():
                g(zfix).numpy().astype(np.float32).tofile(f'{out_dir}/r-{name}-{e + 1}-bs.f32')
print(json.dumps({'name': name, 'recipe': a, 'steps': steps, 'seconds': round(time.time() - t0, 1)}), flush=True)

"""Peer for augur's ensemble training: the same probabilistic ensemble in a plain PyTorch training loop
(batched members via baddbmm, SiLU, soft-bounded log-variance, Gaussian NLL + 0.01 bound regularizer, Adam with
per-layer weight decay, bootstrapped members, batch 256 per member). Prints training samples/s, counted as
augur's bench does: rows per member per second through the training step (the held-out evaluation excluded).

Run with Debian's interpreter and python3-torch (scripts/setup.sh installs it):
  /usr/bin/python3 bench/peers/train_ensemble.py --shape small
  /usr/bin/python3 bench/peers/train_ensemble.py --shape large
"""
import argparse
import time

import torch

SHAPES = {"small": (3, 1, 64, 2), "large": (17, 6, 200, 4)}  # obs, act, hidden, layers

p = argparse.ArgumentParser()
p.add_argument("--shape", choices=SHAPES, default="large")
p.add_argument("--ens", type=int, default=7)
p.add_argument("--rows", type=int, default=16384)
p.add_argument("--batch", type=int, default=256)
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
obs_dim, act_dim, hid, layers = SHAPES[a.shape]
d_in, d_out = obs_dim + act_dim, obs_dim + 1


class EnsembleLinear(torch.nn.Module):
    def __init__(self, e, i, o):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(e, i, o).clamp(-2, 2) / (2 * i ** 0.5))
        self.bias = torch.nn.Parameter(torch.zeros(e, 1, o))

    def forward(self, x):  # [E, B, i] -> [E, B, o]
        return torch.baddbmm(self.bias, x, self.weight)


class Ensemble(torch.nn.Module):
    def __init__(self):
        super().__init__()
        dims = [d_in] + [hid] * layers
        self.layers = torch.nn.ModuleList(EnsembleLinear(a.ens, i, o) for i, o in zip(dims[:-1], dims[1:]))
        self.out = EnsembleLinear(a.ens, hid, 2 * d_out)
        self.max_logvar = torch.nn.Parameter(torch.full((d_out,), 0.5))
        self.min_logvar = torch.nn.Parameter(torch.full((d_out,), -10.0))

    def forward(self, x):
        for layer in self.layers:
            x = torch.nn.functional.silu(layer(x))
        mean, logvar = self.out(x).chunk(2, dim=-1)
        logvar = self.max_logvar - torch.nn.functional.softplus(self.max_logvar - logvar)
        logvar = self.min_logvar + torch.nn.functional.softplus(logvar - self.min_logvar)
        return mean, logvar


# Data, normalized with its own statistics.
obs = torch.randn(a.rows, obs_dim)
act = torch.rand(a.rows, act_dim)
x = torch.cat([obs, act], 1)
y = torch.cat([0.1 * torch.randn(a.rows, obs_dim), torch.randn(a.rows, 1)], 1)
x = (x - x.mean(0)) / x.std(0)
y = (y - y.mean(0)) / y.std(0)

model = Ensemble()
decay = [2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4]
linears = list(model.layers) + [model.out]
groups = [{"params": [l.weight], "weight_decay": decay[min(i, len(decay) - 1)]} for i, l in enumerate(linears)]
groups.append({"params": [l.bias for l in linears] + [model.max_logvar, model.min_logvar], "weight_decay": 0.0})
opt = torch.optim.Adam(groups, lr=1e-3)
bootstrap = torch.randint(a.rows, (a.ens, a.rows))

rates = []
for epoch in range(a.epochs):
    t0 = time.perf_counter()
    order = torch.rand(a.ens, a.rows).argsort(1)
    shuffled = bootstrap.gather(1, order)
    for b in range(0, a.rows, a.batch):
        idx = shuffled[:, b:b + a.batch]
        n = idx.shape[1]
        xb = x[idx.reshape(-1)].view(a.ens, n, d_in)
        yb = y[idx.reshape(-1)].view(a.ens, n, d_out)
        mean, logvar = model(xb)
        nll = ((mean - yb) ** 2 * torch.exp(-logvar) + logvar).mean((1, 2)).sum()
        loss = nll + 0.01 * (model.max_logvar.sum() - model.min_logvar.sum())
        opt.zero_grad()
        loss.backward()
        opt.step()
    rates.append(a.rows / (time.perf_counter() - t0))

row_flops = 2 * (d_in * hid + (layers - 1) * hid * hid + hid * 2 * d_out)
best = max(rates)
print(f"python-pytorch ensemble training ({a.shape}: E={a.ens} {hid}x{layers} batch={a.batch} rows={a.rows} "
      f"threads={a.threads} torch={torch.__version__}): {best:.0f} samples/s (best of {a.epochs} epochs; "
      f"median {sorted(rates)[len(rates) // 2]:.0f}), {best * a.ens * 3 * row_flops / 1e9:.1f} GFLOP/s")

#!/usr/bin/python3
"""Plain PyTorch peer of augur's SAC-N / EDAC update (agents/rl/sac.h), for bench/suites/sac_peer.cc.

The same update as augur's, written the way a plain PyTorch implementation usually is (CORL-style EDAC):
critics as one vectorized ensemble layer (baddbmm over [N, B, in]), min-over-critics soft targets, the EDAC
diversity term from a separate tiled forward with double backward, the actor loss through the critics (their
weight gradients are computed and then zeroed by the next critic step), automatic entropy tuning, Adam.
Prints one line of JSON: updates per second and the ms of each phase.

Usage: OMP_NUM_THREADS=2 /usr/bin/python3 sac_update.py --obs 17 --act 6 --critics 10 --hidden 256 \
           --layers 3 --batch 256 --steps 50 --threads 2
"""
import argparse
import json
import math
import time

import torch


class EnsembleLinear(torch.nn.Module):
    def __init__(self, n, d_in, d_out, head=False):
        super().__init__()
        bound = 3e-3 if head else 1.0 / math.sqrt(d_in)
        self.weight = torch.nn.Parameter(torch.empty(n, d_in, d_out).uniform_(-bound, bound))
        self.bias = torch.nn.Parameter(torch.empty(n, 1, d_out).uniform_(-bound, bound))

    def forward(self, x):  # [N, B, in] -> [N, B, out]
        return torch.baddbmm(self.bias, x, self.weight)


class Critics(torch.nn.Module):
    def __init__(self, n, d_in, hidden, layers):
        super().__init__()
        widths = [d_in] + [hidden] * layers + [1]
        self.n = n
        self.layers = torch.nn.ModuleList(
            EnsembleLinear(n, widths[i], widths[i + 1], head=i + 2 == len(widths)) for i in range(len(widths) - 1))

    def forward(self, obs, act):  # shared [B, .] or tiled [N, B, .] inputs -> [N, B]
        x = torch.cat([obs, act], -1)
        if x.dim() == 2:
            x = x.unsqueeze(0).repeat(self.n, 1, 1)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i + 1 < len(self.layers):
                x = torch.relu(x)
        return x.squeeze(-1)


class Actor(torch.nn.Module):
    def __init__(self, d_obs, d_act, hidden, layers):
        super().__init__()
        mods, d = [], d_obs
        for _ in range(layers):
            mods += [torch.nn.Linear(d, hidden), torch.nn.ReLU()]
            d = hidden
        self.trunk = torch.nn.Sequential(*mods)
        self.head = torch.nn.Linear(d, 2 * d_act)
        torch.nn.init.uniform_(self.head.weight, -1e-3, 1e-3)
        torch.nn.init.uniform_(self.head.bias, -1e-3, 1e-3)

    def forward(self, obs):
        mean, log_std = self.head(self.trunk(obs)).chunk(2, -1)
        log_std = log_std.clamp(-5.0, 2.0)
        eps = torch.randn_like(mean)
        x = mean + log_std.exp() * eps
        logp = (-0.5 * eps.pow(2) - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
        logp = logp - (2.0 * (math.log(2.0) - x - torch.nn.functional.softplus(-2.0 * x))).sum(-1)
        return torch.tanh(x), logp


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--obs", type=int, default=17)
    p.add_argument("--act", type=int, default=6)
    p.add_argument("--critics", type=int, default=10)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--eta", type=float, default=1.0)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    gamma, tau, n = 0.99, 5e-3, a.critics
    actor = Actor(a.obs, a.act, a.hidden, a.layers)
    critics = Critics(n, a.obs + a.act, a.hidden, a.layers)
    targets = Critics(n, a.obs + a.act, a.hidden, a.layers)
    targets.load_state_dict(critics.state_dict())
    log_alpha = torch.zeros(1, requires_grad=True)
    actor_opt = torch.optim.Adam(actor.parameters(), lr=3e-4)
    critic_opt = torch.optim.Adam(critics.parameters(), lr=3e-4)
    alpha_opt = torch.optim.Adam([log_alpha], lr=3e-4)
    target_entropy = -float(a.act)
    rows = 10000
    data = (torch.randn(rows, a.obs), torch.rand(rows, a.act) * 2 - 1, torch.randn(rows), torch.randn(rows, a.obs),
            torch.zeros(rows))
    phases = {"actor_ms": 0.0, "target_ms": 0.0, "critic_ms": 0.0, "other_ms": 0.0}

    def update(timed):
        idx = torch.randint(0, rows, (a.batch,))
        obs, act, rew, nxt, done = (t[idx] for t in data)
        t0 = time.perf_counter()
        # alpha
        with torch.no_grad():
            _, logp = actor(obs)
        alpha_loss = (-log_alpha * (logp + target_entropy)).mean()
        alpha_opt.zero_grad()
        alpha_loss.backward()
        alpha_opt.step()
        alpha = log_alpha.exp().detach()
        # actor
        pi, logp = actor(obs)
        q_pi = critics(obs, pi).min(0).values
        actor_loss = (alpha * logp - q_pi).mean()
        actor_opt.zero_grad()
        actor_loss.backward()
        actor_opt.step()
        t1 = time.perf_counter()
        # targets
        with torch.no_grad():
            next_pi, next_logp = actor(nxt)
            q_next = targets(nxt, next_pi).min(0).values - alpha * next_logp
            y = rew + gamma * (1 - done) * q_next
        t2 = time.perf_counter()
        # critics + EDAC (separate tiled forward for the diversity term)
        q = critics(obs, act)
        critic_loss = ((q - y.unsqueeze(0)) ** 2).mean(1).sum()
        if a.eta > 0:
            obs_t = obs.unsqueeze(0).repeat(n, 1, 1)
            act_t = act.unsqueeze(0).repeat(n, 1, 1).requires_grad_(True)
            q_t = critics(obs_t, act_t)
            g, = torch.autograd.grad(q_t.sum(), act_t, retain_graph=True, create_graph=True)
            g = g / (torch.norm(g, p=2, dim=2, keepdim=True) + 1e-10)
            g = g.transpose(0, 1)
            sim = torch.einsum("bik,bjk->bij", g, g)
            mask = 1 - torch.eye(n).unsqueeze(0)
            critic_loss = critic_loss + a.eta * (sim * mask).sum(dim=(1, 2)).mean() / (n - 1)
        critic_opt.zero_grad()
        critic_loss.backward()
        critic_opt.step()
        t3 = time.perf_counter()
        with torch.no_grad():
            for tp, sp in zip(targets.parameters(), critics.parameters()):
                tp.data.copy_((1 - tau) * tp.data + tau * sp.data)
            q.detach().abs().max().item()
        t4 = time.perf_counter()
        if timed:
            phases["actor_ms"] += 1e3 * (t1 - t0)
            phases["target_ms"] += 1e3 * (t2 - t1)
            phases["critic_ms"] += 1e3 * (t3 - t2)
            phases["other_ms"] += 1e3 * (t4 - t3)

    for _ in range(a.warmup):
        update(False)
    t0 = time.perf_counter()
    for _ in range(a.steps):
        update(True)
    seconds = time.perf_counter() - t0
    out = {"updates_per_second": a.steps / seconds, "torch": torch.__version__, "threads": torch.get_num_threads()}
    out.update({k: v / a.steps for k, v in phases.items()})
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""Peer for augur's Trajectory Transformer training: the same GPT (per-dimension token embedding, learned
positions, pre-norm blocks of causal multi-head attention + 4x GELU MLP, final layer norm, one linear head per
step dimension) and the same step (weighted token cross-entropy with action weight 5, AdamW betas (0.9, 0.95),
weight decay 0.1 on linear weights, gradient clip 1.0, dropout 0.1) in a plain PyTorch training loop.
Prints training tokens/s, counted as augur's TtModel::Train does: batch x (steps x D - 1) target tokens per
second through the training step (forward, backward, clip, optimizer step; batch gathering excluded).

Run with Debian's interpreter and python3-torch (scripts/setup.sh installs it), threads matched to augur's:
  OMP_NUM_THREADS=2 /usr/bin/python3 bench/peers/train_tt.py --obs 3 --act 1 --batch 64 --iters 30
"""
import argparse
import math
import time

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--obs", type=int, default=3)
p.add_argument("--act", type=int, default=1)
p.add_argument("--bins", type=int, default=100)
p.add_argument("--layers", type=int, default=4)
p.add_argument("--heads", type=int, default=4)
p.add_argument("--width", type=int, default=128)
p.add_argument("--steps", type=int, default=10)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--iters", type=int, default=30)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
D = a.obs + a.act + 2
T = a.steps * D - 1
N, W, H = a.bins, a.width, a.heads
DROP = 0.1


class Attention(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = torch.nn.Linear(W, 3 * W)
        self.proj = torch.nn.Linear(W, W)

    def forward(self, x):  # [B, T, W]
        b, t, w = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, H, w // H).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(w // H))
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        att = F.dropout(att.masked_fill(mask, float("-inf")).softmax(-1), DROP, self.training)
        y = (att @ v).transpose(1, 2).reshape(b, t, w)
        return F.dropout(self.proj(y), DROP, self.training)


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = torch.nn.LayerNorm(W), torch.nn.LayerNorm(W)
        self.attn = Attention()
        self.fc, self.fc_out = torch.nn.Linear(W, 4 * W), torch.nn.Linear(4 * W, W)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + F.dropout(self.fc_out(F.gelu(self.fc(self.ln2(x)))), DROP, self.training)


class TT(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = torch.nn.Embedding(D * N, W)
        self.pos = torch.nn.Embedding(a.steps * D, W)
        self.blocks = torch.nn.ModuleList([Block() for _ in range(a.layers)])
        self.ln_f = torch.nn.LayerNorm(W)
        self.head_w = torch.nn.Parameter(torch.randn(D, W, N) * 0.02)
        self.head_b = torch.nn.Parameter(torch.zeros(D, N))

    def forward(self, tokens):  # [B, T]
        t = tokens.shape[1]
        pos = torch.arange(t)
        x = F.dropout(self.tok(tokens + (pos % D) * N) + self.pos(pos), DROP, self.training)
        for blk in self.blocks:
            x = blk(x)
        h = self.ln_f(x)
        nd = (pos + 1) % D
        logits = torch.matmul(h.transpose(0, 1), self.head_w.index_select(0, nd))  # [T, B, N]
        return logits.transpose(0, 1) + self.head_b.index_select(0, nd)


model = TT()
model.train()
decay = [p for n, p in model.named_parameters() if n.endswith("weight") and "ln" not in n and "tok" not in n
         and "pos" not in n]
no_decay = [p for n, p in model.named_parameters() if not any(p is q for q in decay)]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                        lr=1e-3, betas=(0.9, 0.95))
weights = torch.ones(T)
for q in range(T):
    if a.obs <= (q + 1) % D < a.obs + a.act:
        weights[q] = 5.0
data = torch.randint(N, (a.iters + a.warmup, a.batch, T + 1))
elapsed = 0.0
for i in range(a.iters + a.warmup):
    w = data[i]
    t0 = time.perf_counter()
    x, y = w[:, :-1], w[:, 1:]
    ce = F.cross_entropy(model(x).reshape(-1, N), y.reshape(-1), reduction="none").view(a.batch, T)
    loss = (ce * weights).mean()
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if i >= a.warmup:
        elapsed += time.perf_counter() - t0
print(f"peer tokens_per_s {a.iters * a.batch * T / elapsed:.1f} ms_per_step {1e3 * elapsed / a.iters:.3f}")

#!/usr/bin/python3
"""Exports the TorchScript dynamics models that tests/models/torchscript_test.cc loads, the way a user who
trained a model in PyTorch would (Debian's python3-torch 1.13). Run by the test itself; writes into OUT_DIR:
  dyn.pt          a small dynamics model with the documented signature, fixed weights (seed 0)
  expected.json   its outputs on fixed inputs, computed by PyTorch
  bad.pt          a module whose forward returns one tensor (wrong signature)
  future.pt       dyn.pt claiming a newer file-format version (as a file from a newer PyTorch does)
Usage: export_torchscript.py OUT_DIR
"""
import json
import sys
import zipfile

import torch


class Dynamics(torch.nn.Module):
    """Pendulum-sized model: state [B, 3], action [B, 1] -> (mean [B, 3], logvar [B, 3], reward [B])."""

    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.SiLU(), torch.nn.Linear(16, 7))

    def forward(self, state: torch.Tensor, action: torch.Tensor):
        h = self.net(torch.cat([state, action], -1))
        return state + 0.1 * h[:, :3], h[:, 3:6].clamp(-6.0, 1.0), h[:, 6]


class WrongSignature(torch.nn.Module):
    def forward(self, state: torch.Tensor, action: torch.Tensor):
        return state


def main(out_dir):
    torch.manual_seed(0)
    model = torch.jit.script(Dynamics().eval())
    model.save(f"{out_dir}/dyn.pt")
    state = torch.tensor([[1.0, 0.0, 0.0], [0.5, 0.5, -1.0], [-0.2, 0.9, 3.0]])
    action = torch.tensor([[0.3], [-1.0], [2.0]])
    with torch.no_grad():
        mean, logvar, reward = model(state, action)
    with open(f"{out_dir}/expected.json", "w") as f:
        json.dump({"state": state.tolist(), "action": action.tolist(), "mean": mean.tolist(),
                   "logvar": logvar.tolist(), "reward": reward.tolist(), "torch": torch.__version__}, f)
    torch.jit.script(WrongSignature()).save(f"{out_dir}/bad.pt")
    with zipfile.ZipFile(f"{out_dir}/dyn.pt") as src, zipfile.ZipFile(f"{out_dir}/future.pt", "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("/version"):
                data = b"99\n"
            dst.writestr(item, data)


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""Regenerates DMSD-train-head.csv: the first episodes of NeoRL-2's DMSD train split, as text.

Usage (Debian's python3 with numpy is enough):
    python3 regenerate.py [/path/to/DMSD-high-100000-train.npz] [episodes] [output.csv]

Defaults: ../shared/data/neorl2/DMSD-high-100000-train.npz seen from the repository root (the project's
shared data folder), 8 episodes (800 rows), DMSD-train-head.csv next to this script. Pass episodes = 0
for every row (the whole split, for a one-off full replay: see dmsd_test.cc).

Columns: obs0..obs5, action0, action1, next_obs0..next_obs5, reward, done, truncated; one row per
transition, float32 values printed with 9 significant digits (exact round trip). The data is NeoRL-2's
(Apache-2.0), see NOTICE.md. The file is generated, never edited by hand.
"""

import os
import sys

import numpy as np


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", "..", ".."))
    default_npz = os.path.join(root, "..", "shared", "data", "neorl2", "DMSD-high-100000-train.npz")
    npz = sys.argv[1] if len(sys.argv) > 1 else default_npz
    episodes = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    out = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "DMSD-train-head.csv")

    data = np.load(npz)
    ends = np.where(np.logical_or(data["done"] > 0, data["truncated"] > 0))[0]
    rows = len(data["reward"]) if episodes == 0 else int(ends[episodes - 1]) + 1
    columns = [
        data["obs"][:rows],
        data["action"][:rows],
        data["next_obs"][:rows],
        data["reward"][:rows, None],
        data["done"][:rows, None],
        data["truncated"][:rows, None],
    ]
    table = np.concatenate([c.astype(np.float32) for c in columns], axis=1)
    header = ",".join(
        [f"obs{i}" for i in range(6)]
        + ["action0", "action1"]
        + [f"next_obs{i}" for i in range(6)]
        + ["reward", "done", "truncated"]
    )
    with open(out, "w") as f:
        f.write(header + "\n")
        for row in table:
            f.write(",".join("%.9g" % v for v in row) + "\n")
    print(f"wrote {rows} rows to {out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Regenerates the data test fixtures in this folder. Run from anywhere with Debian's python3 (numpy, h5py):

    /usr/bin/python3 tests/data/testdata/make_testdata.py [path/to/DMSD-high-100000-train.npz]

The source defaults to ../shared/data/neorl2/DMSD-high-100000-train.npz next to the repository (NeoRL-2,
Apache-2.0; see NOTICE.md). Never edit the outputs by hand.
"""
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SOURCE = os.path.join(REPO, "..", "shared", "data", "neorl2", "DMSD-high-100000-train.npz")
ROWS = 300  # the first three 100-step episodes
KEYS = ["obs", "action", "next_obs", "reward", "done", "truncated"]


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    full = np.load(src)
    s = {k: np.ascontiguousarray(full[k][:ROWS]) for k in KEYS}
    out = lambda name: os.path.join(HERE, name)

    # The NeoRL-2 slice, compressed (exercises libzip's deflate path).
    np.savez_compressed(out("neorl2_dmsd_slice.npz"), **s)

    # The same rows in the D4RL layout (bool flags as h5py writes them).
    with h5py.File(out("dmsd_slice_d4rl.hdf5"), "w") as f:
        f["observations"] = s["obs"]
        f["actions"] = s["action"]
        f["rewards"] = s["reward"]
        f["terminals"] = s["done"].astype(bool)
        f["timeouts"] = s["truncated"].astype(bool)
        f["next_observations"] = s["next_obs"]
        f.attrs["source"] = "NeoRL-2 DMSD-high-100000-train.npz rows 0-299"
        f.attrs["licence"] = "Apache-2.0"

    # The same rows in Minari's episode layout: observations [T+1, O] per episode.
    ends = np.nonzero((s["done"] + s["truncated"]) > 0)[0]
    with h5py.File(out("dmsd_slice_minari.hdf5"), "w") as f:
        f.attrs["dataset_id"] = "neorl2/dmsd-high-slice-v0"
        f.attrs["algorithm_name"] = "NeoRL-2 high-quality policy"
        f.attrs["author"] = "Polixir (NeoRL-2)"
        f.attrs["total_episodes"] = 3
        begin = 0
        for i, end in enumerate(ends):
            g = f.create_group("episode_%d" % i)
            g["observations"] = np.concatenate([s["obs"][begin:end + 1], s["next_obs"][end:end + 1]])
            g["actions"] = s["action"][begin:end + 1]
            g["rewards"] = s["reward"][begin:end + 1]
            g["terminations"] = s["done"][begin:end + 1].astype(bool)
            g["truncations"] = s["truncated"][begin:end + 1].astype(bool)
            begin = end + 1

    # Broken files, one problem each (10 rows).
    small = {k: v[:10].copy() for k, v in s.items()}
    small["truncated"][4] = 1.0
    np.savez(out("bad_missing_keys.npz"), obs=small["obs"], action=small["action"], reward=small["reward"])
    bad = dict(small)
    bad["next_obs"] = small["next_obs"][:7]
    np.savez(out("bad_shapes.npz"), **bad)
    bad = dict(small)
    bad["reward"] = small["reward"].copy()
    bad["reward"][6] = np.nan
    np.savez(out("bad_nan.npz"), **bad)
    bad = dict(small)
    bad["obs"] = np.asfortranarray(small["obs"])
    np.savez(out("bad_fortran.npz"), **bad)
    bad = dict(small)
    bad["action"] = small["action"].astype(">f4")
    np.savez(out("bad_bigendian.npz"), **bad)
    bad = dict(small)
    bad["reward"] = small["reward"].astype(np.complex64)
    np.savez(out("bad_dtype.npz"), **bad)
    # float64 columns and bool flags are fine.
    ok = {k: v.astype(np.float64) for k, v in small.items()}
    ok["done"] = small["done"].astype(bool)
    ok["truncated"] = small["truncated"].astype(bool)
    np.savez(out("float64_bool.npz"), **ok)


if __name__ == "__main__":
    main()

// NumPy .npz import and export in the NeoRL-2 layout: keys obs [N,O], action [N,A], next_obs [N,O],
// reward [N], done [N], truncated [N]. Episode boundaries are rows where done or truncated is nonzero.
#pragma once

#include <string>

#include "augur/data/dataset.h"

namespace augur::data {

struct NpzImportOptions {
  // Metadata to attach (the file itself carries none); `source` defaults to the path.
  DatasetMetadata metadata;
  // Also accept "terminals"/"timeouts" for done/truncated, and "observations"/"actions"/"rewards"/
  // "next_observations" for the other keys (D4RL names), when the NeoRL-2 key is absent.
  bool accept_d4rl_names = true;
};

// Reads an .npz written by numpy (savez or savez_compressed): .npy versions 1-3, little-endian float32,
// float64, bool, int8-64 and uint8, C order. Throws NotFoundError (missing file), DataError listing missing
// keys, mismatched shapes, Fortran order, big-endian or an unknown dtype, and NaN/Inf (column and row).
Dataset ImportNpz(const std::string& path, const NpzImportOptions& options = {});

// Writes the NeoRL-2 keys as float32 .npy members (uncompressed), atomically (temporary file + rename).
// Metadata is not representable in the layout and is dropped. An episode that ends without a flag before
// the last row (incomplete) is written as a time-out: the layout has no other way to keep its boundary.
void ExportNpz(const Dataset& dataset, const std::string& path);

}  // namespace augur::data

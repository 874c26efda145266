// HDF5 import and export: D4RL's flat layout and Minari's per-episode layout.
#pragma once

#include <string>

#include "augur/data/dataset.h"

namespace augur::data {

// D4RL layout: root datasets observations [N,O], actions [N,A], rewards [N], terminals [N], timeouts [N],
// next_observations [N,O] (float32/float64; flags bool, integer or float). Episode boundaries are rows where
// terminals or timeouts is true. Root attributes source, licence, behaviour_policy, env_id and metadata/*
// string attributes are read back into the metadata when present. Throws NotFoundError for a missing file,
// DataError listing missing datasets, mismatched shapes, non-finite values (column and row) or a file that
// is not HDF5.
Dataset ImportD4rlHdf5(const std::string& path);

// Writes the D4RL layout (float32 columns, bool flags, metadata as root attributes) atomically. An episode
// that ends without a flag before the last row (incomplete) is written as a time-out.
void ExportD4rlHdf5(const Dataset& dataset, const std::string& path);

// Minari layout: groups episode_<i> (i = 0, 1, ...) each with observations [T+1,O], actions [T,A],
// rewards [T], terminations [T], truncations [T]. Dict observation spaces (observations as a group) are
// rejected with a DataError naming the episode. Root attributes: dataset_id becomes the source,
// algorithm_name the behaviour policy, other string attributes metadata "minari.<name>".
Dataset ImportMinariHdf5(const std::string& path);

}  // namespace augur::data

// Load/Save: one entry point for every dataset format, chosen by content (magic bytes) and extension.
#pragma once

#include <string>

#include "augur/data/dataset.h"

namespace augur::data {

enum class DatasetFormat { kRecord, kNpz, kD4rlHdf5, kMinariHdf5 };

// Detects the format of an existing file from its first bytes (and, for HDF5, its layout). Throws
// NotFoundError for a missing file, DataError naming the file and the formats known for anything else.
DatasetFormat DetectFormat(const std::string& path);

// Loads a dataset: record files (.augur; lenient, logs a warning and keeps the good episodes of a damaged
// file), .npz (NeoRL-2 keys), HDF5 (D4RL or Minari layout). Validates the result.
Dataset Load(const std::string& path);

// Saves by extension: .augur (record file), .npz (NeoRL-2 keys), .hdf5 / .h5 (D4RL layout). Written
// atomically. Throws ConfigError naming the extension and the known ones for anything else.
void Save(const Dataset& dataset, const std::string& path);

}  // namespace augur::data

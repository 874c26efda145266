#include "augur/data/io.h"

#include <hdf5.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "augur/core/error.h"
#include "augur/data/hdf5.h"
#include "augur/data/npz.h"
#include "augur/data/record_format.h"
#include "augur/data/record_reader.h"
#include "augur/data/record_writer.h"
#include "internal/file_util.h"

namespace augur::data {
namespace {

std::string Extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

}  // namespace

DatasetFormat DetectFormat(const std::string& path) {
  internal::RequireFile(path, "dataset file");
  char head[8] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(head, sizeof(head));
  const auto got = in.gcount();
  if (got == 8 && std::memcmp(head, kRecordMagic.data(), 8) == 0) return DatasetFormat::kRecord;
  if (got >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0) return DatasetFormat::kNpz;
  if (got == 8 && std::memcmp(head, "\x89HDF\r\n\x1a\n", 8) == 0) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) throw DataError(StrCat("'", path, "' has an HDF5 signature but HDF5 cannot open it; it is corrupt"));
    const bool minari = H5Lexists(f, "episode_0", H5P_DEFAULT) > 0 && H5Lexists(f, "observations", H5P_DEFAULT) <= 0;
    H5Fclose(f);
    return minari ? DatasetFormat::kMinariHdf5 : DatasetFormat::kD4rlHdf5;
  }
  throw DataError(StrCat("'", path, "' (extension '", Extension(path), "') is not a dataset augur knows: expected an augur "
                         "record file (magic AUGURREC), an .npz (zip) or an HDF5 file (D4RL or Minari layout)"));
}

Dataset Load(const std::string& path) {
  Dataset d;
  switch (DetectFormat(path)) {
    case DatasetFormat::kRecord: {
      RecordReport report;
      d = ReadRecordFile(path, &report);
      if (!report.ok()) spdlog::warn("{}", report.problem);
      break;
    }
    case DatasetFormat::kNpz:
      d = ImportNpz(path);
      break;
    case DatasetFormat::kD4rlHdf5:
      d = ImportD4rlHdf5(path);
      break;
    case DatasetFormat::kMinariHdf5:
      d = ImportMinariHdf5(path);
      break;
  }
  d.Validate();
  return d;
}

void Save(const Dataset& dataset, const std::string& path) {
  const std::string ext = Extension(path);
  if (ext == ".augur") {
    WriteRecordFile(dataset, path);
  } else if (ext == ".npz") {
    ExportNpz(dataset, path);
  } else if (ext == ".hdf5" || ext == ".h5") {
    ExportD4rlHdf5(dataset, path);
  } else {
    throw ConfigError(StrCat("cannot save '", path, "': unknown extension '", ext,
                             "'; use .augur (record file), .npz (NeoRL-2 keys) or .hdf5/.h5 (D4RL layout)"));
  }
}

}  // namespace augur::data

#include "augur/models/ensemble/checkpoint.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "augur/core/error.h"

namespace augur::models {
namespace {

constexpr const char* kCardKey = "augur_model_card";

// Opens the archive; any failure to parse the container is a DataError naming the path.
void Open(const std::string& path, torch::serialize::InputArchive* archive) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw NotFoundError(StrCat(path, ": no such checkpoint file"));
  if (!std::filesystem::is_regular_file(path, ec)) throw DataError(StrCat(path, ": not a regular file"));
  try {
    archive->load_from(path);
  } catch (const std::exception& e) {
    throw DataError(StrCat(path, ": not a readable augur checkpoint (corrupt or truncated file): ",
                           std::string(e.what()).substr(0, 200)));
  }
}

ModelCard ReadCard(torch::serialize::InputArchive& archive, const std::string& path) {
  c10::IValue value;
  if (!archive.try_read(kCardKey, value) || !value.isString()) {
    throw DataError(StrCat(path, ": the archive has no augur model card; it is not an augur model checkpoint"));
  }
  return ModelCard::FromJson(value.toStringRef(), path);
}

}  // namespace

void WriteCheckpoint(const std::string& path, const ModelCard& card, const NamedTensors& tensors) {
  torch::serialize::OutputArchive archive;
  archive.write(kCardKey, c10::IValue(card.ToJson()));
  for (const auto& [name, tensor] : tensors) archive.write(name, tensor, /*is_buffer=*/true);
  const std::string temp = StrCat(path, ".tmp.", ::getpid());
  try {
    archive.save_to(temp);
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw IoError(StrCat(path, ": cannot write the checkpoint (", std::string(e.what()).substr(0, 200),
                         "); check that the folder exists and is writable"));
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    throw IoError(StrCat(path, ": cannot move the written checkpoint into place: ", ec.message()));
  }
}

ModelCard ReadModelCard(const std::string& path) {
  torch::serialize::InputArchive archive;
  Open(path, &archive);
  return ReadCard(archive, path);
}

ModelCard ReadCheckpoint(const std::string& path, const std::vector<std::string>& names, NamedTensors* tensors) {
  torch::serialize::InputArchive archive;
  Open(path, &archive);
  ModelCard card = ReadCard(archive, path);
  tensors->clear();
  for (const std::string& name : names) {
    at::Tensor t;
    bool ok = false;
    try {
      ok = archive.try_read(name, t, /*is_buffer=*/true);
    } catch (const std::exception&) {
      ok = false;
    }
    if (!ok || !t.defined()) throw DataError(StrCat(path, ": the checkpoint has no tensor '", name, "'; the file is corrupt"));
    tensors->emplace_back(name, t);
  }
  return card;
}

}  // namespace augur::models

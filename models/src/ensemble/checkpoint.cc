#include "augur/models/ensemble/checkpoint.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "augur/core/error.h"
#include "augur/core/factory.h"

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

ModelCard ReadCardFor(const std::string& path, const std::string& type, const LoadExpectations& expect,
                      const std::function<void(SpecParams&)>& read) {
  ModelCard card = ReadModelCard(path);
  LoadExpectations checks = expect;
  if (checks.type.empty()) checks.type = type;
  CheckExpectations(card, checks, path);
  try {
    SpecParams params(FactorySpec::Parse(card.config), "model");
    read(params);
    params.Finish();
  } catch (const Error& e) {
    throw DataError(StrCat(path, ": the checkpoint's config '", card.config, "' is invalid: ", e.what()));
  }
  return card;
}

void CheckNormalizerSizes(const ModelCard& card, const std::string& path) {
  const int64_t in = card.obs_dim + card.action_dim, d = card.obs_dim + 1;
  if (static_cast<int64_t>(card.input_mean.size()) != in || static_cast<int64_t>(card.input_std.size()) != in ||
      static_cast<int64_t>(card.target_mean.size()) != d || static_cast<int64_t>(card.target_std.size()) != d) {
    throw DataError(StrCat(path, ": normalizer sizes (", card.input_mean.size(), ", ", card.input_std.size(), ", ",
                           card.target_mean.size(), ", ", card.target_std.size(), ") do not match obs_dim + action_dim = ",
                           in, " and obs_dim + 1 = ", d));
  }
}

}  // namespace augur::models

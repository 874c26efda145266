#include "augur/data/model_card.h"

#include <fcntl.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "augur/core/error.h"
#include "augur/core/version.h"
#include "augur/data/proto_convert.h"
#include "internal/file_util.h"

namespace augur::data {
namespace {

// Collects the first parse error with its position.
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (error.empty()) error = StrCat("line ", line + 1, ", column ", column + 1, ": ", message);
  }
  std::string error;
};

}  // namespace

std::string ModelCardToText(const ModelCard& card) {
  proto::ModelCard p;
  p.set_type(card.type);
  p.set_config(card.config);
  if (card.env_spec) *p.mutable_env_spec() = ToProto(*card.env_spec);
  if (card.observation_normalizer) *p.mutable_observation_normalizer() = ToProto(*card.observation_normalizer);
  if (card.action_normalizer) *p.mutable_action_normalizer() = ToProto(*card.action_normalizer);
  if (card.delta_normalizer) *p.mutable_delta_normalizer() = ToProto(*card.delta_normalizer);
  p.set_data_digest(card.data_digest);
  for (const auto& [k, v] : card.metrics) (*p.mutable_metrics())[k] = v;
  p.set_augur_version(card.augur_version);
  p.set_created_unix_seconds(card.created_unix_seconds);
  std::string text;
  google::protobuf::TextFormat::PrintToString(p, &text);
  return text;
}

ModelCard ModelCardFromText(const std::string& text, const std::string& what) {
  proto::ModelCard p;
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &p)) {
    throw DataError(StrCat(what, " does not parse as an augur.proto.ModelCard: ", errors.error));
  }
  ModelCard card;
  card.type = p.type();
  card.config = p.config();
  if (p.has_env_spec()) card.env_spec = FromProto(p.env_spec());
  if (p.has_observation_normalizer()) card.observation_normalizer = FromProto(p.observation_normalizer());
  if (p.has_action_normalizer()) card.action_normalizer = FromProto(p.action_normalizer());
  if (p.has_delta_normalizer()) card.delta_normalizer = FromProto(p.delta_normalizer());
  card.data_digest = p.data_digest();
  for (const auto& [k, v] : p.metrics()) card.metrics[k] = v;
  card.augur_version = p.augur_version();
  card.created_unix_seconds = p.created_unix_seconds();
  return card;
}

void WriteModelCard(ModelCard card, const std::string& path) {
  if (card.augur_version.empty()) card.augur_version = AUGUR_VERSION;
  if (card.created_unix_seconds == 0) {
    card.created_unix_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  const std::string text = ModelCardToText(card);
  const std::string tmp = internal::TempPathFor(path);
  internal::TempFileGuard guard(tmp);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError(StrCat("cannot create '", tmp, "' (for '", path, "'): ", std::strerror(errno)));
  try {
    internal::WriteAll(fd, text, tmp);
    internal::Sync(fd, tmp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  internal::RenameInto(tmp, path);
  guard.Release();
}

ModelCard ReadModelCard(const std::string& path) {
  internal::RequireFile(path, "model card");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return ModelCardFromText(text.str(), StrCat("model card '", path, "'"));
}

}  // namespace augur::data

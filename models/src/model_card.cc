#include "augur/models/model_card.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "augur/core/error.h"

namespace augur::models {
namespace {

// JSON has no infinities: non-finite floats (unbounded actions) are written as the strings "inf", "-inf", "nan".
nlohmann::json FloatsToJson(const std::vector<float>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (float v : values) {
    if (std::isfinite(v)) {
      out.push_back(v);
    } else {
      out.push_back(std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
    }
  }
  return out;
}

std::vector<float> FloatsFromJson(const nlohmann::json& j) {
  std::vector<float> out;
  for (const auto& v : j) {
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      if (s == "inf") {
        out.push_back(std::numeric_limits<float>::infinity());
      } else if (s == "-inf") {
        out.push_back(-std::numeric_limits<float>::infinity());
      } else if (s == "nan") {
        out.push_back(std::numeric_limits<float>::quiet_NaN());
      } else {
        throw nlohmann::json::other_error::create(501, "unknown float '" + s + "'", &v);
      }
    } else {
      out.push_back(v.get<float>());
    }
  }
  return out;
}

}  // namespace

std::string ModelCard::ToJson() const {
  nlohmann::json j = {{"magic", kMagic},
                      {"format_version", format_version},
                      {"type", type},
                      {"config", config},
                      {"env_id", env_id},
                      {"obs_dim", obs_dim},
                      {"action_dim", action_dim},
                      {"action_low", FloatsToJson(action_low)},
                      {"action_high", FloatsToJson(action_high)},
                      {"input_mean", input_mean},
                      {"input_std", input_std},
                      {"target_mean", target_mean},
                      {"target_std", target_std},
                      {"data_digest", data_digest},
                      {"termination", termination},
                      {"metrics", metrics},
                      {"augur_version", augur_version}};
  return j.dump();
}

ModelCard ModelCard::FromJson(const std::string& text, const std::string& source) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    throw DataError(StrCat(source, ": the model card is not valid JSON; the file is corrupt or not an augur model"));
  }
  if (j.value("magic", std::string()) != kMagic) {
    throw DataError(StrCat(source, ": not an augur model checkpoint (magic '", j.value("magic", std::string()),
                           "', expected '", kMagic, "')"));
  }
  ModelCard card;
  try {
    j.at("format_version").get_to(card.format_version);
    if (card.format_version != kFormatVersion) {
      throw DataError(StrCat(source, ": model card format version ", card.format_version, " is not supported (this ",
                             "build reads version ", kFormatVersion, "); re-export the model with a matching augur"));
    }
    j.at("type").get_to(card.type);
    j.at("config").get_to(card.config);
    j.at("env_id").get_to(card.env_id);
    j.at("obs_dim").get_to(card.obs_dim);
    j.at("action_dim").get_to(card.action_dim);
    card.action_low = FloatsFromJson(j.at("action_low"));
    card.action_high = FloatsFromJson(j.at("action_high"));
    j.at("input_mean").get_to(card.input_mean);
    j.at("input_std").get_to(card.input_std);
    j.at("target_mean").get_to(card.target_mean);
    j.at("target_std").get_to(card.target_std);
    j.at("data_digest").get_to(card.data_digest);
    j.at("termination").get_to(card.termination);
    j.at("metrics").get_to(card.metrics);
    j.at("augur_version").get_to(card.augur_version);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(StrCat(source, ": the model card is incomplete or malformed (", e.what(), ")"));
  }
  return card;
}

void CheckExpectations(const ModelCard& card, const LoadExpectations& expect, const std::string& path) {
  if (!expect.type.empty() && card.type != expect.type) {
    throw DataError(StrCat(path, ": checkpoint holds a model of type '", card.type, "' but type '", expect.type,
                           "' was expected"));
  }
  if (expect.obs_dim >= 0 && card.obs_dim != expect.obs_dim) {
    throw ShapeError(StrCat(path, ": checkpoint has obs_dim ", card.obs_dim, " but the environment has obs_dim ",
                            expect.obs_dim, "; load a model trained on this environment"));
  }
  if (expect.action_dim >= 0 && card.action_dim != expect.action_dim) {
    throw ShapeError(StrCat(path, ": checkpoint has action_dim ", card.action_dim,
                            " but the environment has action_dim ", expect.action_dim,
                            "; load a model trained on this environment"));
  }
  if (!expect.env_id.empty() && card.env_id != expect.env_id) {
    throw DataError(StrCat(path, ": checkpoint was trained on env '", card.env_id, "' but env '", expect.env_id,
                           "' was expected"));
  }
}

}  // namespace augur::models

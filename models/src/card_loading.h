// Shared first steps of every family's Load (internal to models/): read the card, check it against the
// caller's expectations (type defaults to the family's), parse its config with the family's FromSpec.
#pragma once

#include <string>
#include <utility>

#include "augur/core/error.h"
#include "augur/core/factory.h"
#include "augur/models/ensemble/checkpoint.h"
#include "augur/models/model_card.h"

namespace augur::models {

// Returns the card and the options its config spells; a config that does not parse is a DataError naming path.
template <typename Options>
std::pair<ModelCard, Options> ReadCardAndOptions(const std::string& path, const LoadExpectations& expect,
                                                 const std::string& type) {
  ModelCard card = ReadModelCard(path);
  LoadExpectations checks = expect;
  if (checks.type.empty()) checks.type = type;
  CheckExpectations(card, checks, path);
  try {
    SpecParams params(FactorySpec::Parse(card.config), "model");
    Options options = Options::FromSpec(params);
    params.Finish();
    return {std::move(card), options};
  } catch (const Error& e) {
    throw DataError(StrCat(path, ": the checkpoint's config '", card.config, "' is invalid: ", e.what()));
  }
}

}  // namespace augur::models

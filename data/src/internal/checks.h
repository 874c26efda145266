// Internal helpers shared by the importers: finiteness checks that name the column and row.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

#include "augur/data/dataset.h"

namespace augur::data::internal {

// Throws DataError "<where>: column '<name>' holds NaN at row r, dim d; ..." for the first non-finite value.
void CheckFinite(const at::Tensor& t, const std::string& name, const std::string& where);

// The timeouts column for flat layouts (npz, D4RL) that mark episode ends only by flags: an episode that
// ends without a flag before the last row (an incomplete episode) is written as a time-out, so that its
// boundary survives.
at::Tensor TimeoutsForExport(const Dataset& dataset);

}  // namespace augur::data::internal

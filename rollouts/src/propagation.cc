#include "augur/rollouts/propagation.h"

#include <algorithm>
#include <string>

#include "augur/core/error.h"
#include "augur/core/rng.h"

namespace augur {

std::string_view PropagationName(Propagation propagation) {
  switch (propagation) {
    case Propagation::kTs1:
      return "ts1";
    case Propagation::kTsInf:
      return "tsinf";
    case Propagation::kExpectation:
      return "expectation";
  }
  return "?";
}

Propagation ParsePropagation(std::string_view name) {
  for (Propagation p : {Propagation::kTs1, Propagation::kTsInf, Propagation::kExpectation}) {
    if (PropagationName(p) == name) return p;
  }
  throw ConfigError(StrCat("unknown propagation '", name, "'; valid: ts1, tsinf, expectation"));
}

bool GroupRows(Propagation propagation, int64_t rows, int64_t particles, int64_t members, const Ts1Key& key,
               std::span<int64_t> member, std::span<int64_t> order, std::span<int64_t> member_begin) {
  AUGUR_CHECK_GE(static_cast<int64_t>(order.size()), rows);
  if (propagation == Propagation::kExpectation) {
    for (int64_t i = 0; i < rows; ++i) order[i] = i;
    return false;
  }
  AUGUR_CHECK_GE(static_cast<int64_t>(member.size()), rows);
  AUGUR_CHECK_GE(static_cast<int64_t>(member_begin.size()), members + 1);
  if (propagation == Propagation::kTs1) {
    for (int64_t j = 0; j * particles < rows; ++j) {
      Rng rng(key.seed, StreamId({key.iteration, static_cast<uint64_t>(key.first_sequence + j), key.step}));
      for (int64_t k = 0; k < particles; ++k) member[j * particles + k] = static_cast<int64_t>(rng.UniformInt(members));
    }
  } else {
    for (int64_t i = 0; i < rows; ++i) member[i] = (i % particles) % members;
  }
  // Counting sort by member, stable in the canonical order.
  std::fill(member_begin.begin(), member_begin.begin() + members + 1, 0);
  for (int64_t i = 0; i < rows; ++i) ++member_begin[member[i] + 1];
  for (int64_t m = 0; m < members; ++m) member_begin[m + 1] += member_begin[m];
  // member_begin[m] is used as the running insertion point, then shifted back.
  for (int64_t i = 0; i < rows; ++i) order[member_begin[member[i]]++] = i;
  for (int64_t m = members; m > 0; --m) member_begin[m] = member_begin[m - 1];
  member_begin[0] = 0;
  return true;
}

}  // namespace augur

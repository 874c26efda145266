// Internal: parsing and writing single .npy arrays (format versions 1.0-3.0).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace augur::data::internal {

struct NpyArray {
  std::vector<int64_t> shape;
  std::string descr;  // numpy dtype string, e.g. "<f4"
  at::Tensor data;    // float32 (any numeric dtype is converted), shaped as `shape`
};

// Parses one .npy file held in `bytes`. `what` names it in errors ("'x.npz' member 'obs.npy'"). Throws
// DataError on a bad magic, an unparsable header, Fortran order, big-endian or unknown dtypes, or a size that
// does not match the shape.
NpyArray ParseNpy(std::string_view bytes, const std::string& what);

// Serializes a float32 tensor as a version 1.0 .npy ("<f4", C order).
std::string WriteNpy(const at::Tensor& t);

}  // namespace augur::data::internal

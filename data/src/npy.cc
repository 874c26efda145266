#include <ATen/ATen.h>

#include <cstring>

#include "augur/core/error.h"
#include "internal/file_util.h"
#include "internal/npy.h"

namespace augur::data::internal {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

// Value text of 'key': in a numpy header dict, e.g. "'<f4'" or "(100, 6)" or "False".
std::string DictValue(const std::string& header, const std::string& key, const std::string& what) {
  const std::string quoted = "'" + key + "'";
  size_t pos = header.find(quoted);
  if (pos == std::string::npos) {
    throw DataError(StrCat(what, ": .npy header has no '", key, "' entry (header: ", header, ")"));
  }
  pos = header.find(':', pos + quoted.size());
  if (pos == std::string::npos) throw DataError(StrCat(what, ": malformed .npy header: ", header));
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  size_t end = pos;
  if (end < header.size() && header[end] == '(') {
    end = header.find(')', end);
    if (end == std::string::npos) throw DataError(StrCat(what, ": malformed shape in .npy header: ", header));
    ++end;
  } else if (end < header.size() && (header[end] == '\'' || header[end] == '"')) {
    end = header.find(header[pos], pos + 1);
    if (end == std::string::npos) throw DataError(StrCat(what, ": malformed .npy header: ", header));
    ++end;
  } else {
    while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  }
  return header.substr(pos, end - pos);
}

std::vector<int64_t> ParseShape(const std::string& text, const std::string& what) {
  std::vector<int64_t> shape;
  std::string inner = text.substr(1, text.size() - 2);
  size_t pos = 0;
  while (pos < inner.size()) {
    while (pos < inner.size() && (inner[pos] == ' ' || inner[pos] == ',')) ++pos;
    if (pos >= inner.size()) break;
    size_t end = pos;
    while (end < inner.size() && inner[end] >= '0' && inner[end] <= '9') ++end;
    if (end == pos) throw DataError(StrCat(what, ": cannot parse shape ", text));
    shape.push_back(std::stoll(inner.substr(pos, end - pos)));
    pos = end;
  }
  return shape;
}

}  // namespace

NpyArray ParseNpy(std::string_view bytes, const std::string& what) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0) {
    throw DataError(StrCat(what, ": not a .npy array (wrong magic at byte offset 0)"));
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw DataError(StrCat(what, ": truncated .npy header"));
    header_len = GetU32(bytes.data() + 8);
    offset = 12;
  } else {
    throw DataError(StrCat(what, ": .npy format version ", major, " is not supported (1, 2 and 3 are)"));
  }
  if (offset + header_len > bytes.size()) throw DataError(StrCat(what, ": truncated .npy header"));
  const std::string header(bytes.substr(offset, header_len));
  NpyArray out;
  std::string descr = DictValue(header, "descr", what);
  descr = descr.substr(1, descr.size() - 2);
  out.descr = descr;
  if (DictValue(header, "fortran_order", what) != "False") {
    throw DataError(StrCat(what, ": array is in Fortran order; save it in C order (np.ascontiguousarray)"));
  }
  out.shape = ParseShape(DictValue(header, "shape", what), what);
  if (descr.size() < 3) throw DataError(StrCat(what, ": unknown dtype '", descr, "'"));
  const char order = descr[0];
  const std::string kind = descr.substr(1);
  at::ScalarType type;
  if (kind == "f4") type = at::kFloat;
  else if (kind == "f8") type = at::kDouble;
  else if (kind == "b1") type = at::kBool;
  else if (kind == "u1") type = at::kByte;
  else if (kind == "i1") type = at::kChar;
  else if (kind == "i2") type = at::kShort;
  else if (kind == "i4") type = at::kInt;
  else if (kind == "i8") type = at::kLong;
  else {
    throw DataError(StrCat(what, ": dtype '", descr, "' is not supported; convert the array to float32 "
                                 "(arr.astype('<f4')) before saving"));
  }
  if (order == '>' && at::elementSize(type) > 1) {
    throw DataError(StrCat(what, ": dtype '", descr, "' is big-endian; convert it with arr.astype('<",
                           kind, "')"));
  }
  if (order != '<' && order != '|' && order != '=' && order != '>') {
    throw DataError(StrCat(what, ": unknown dtype '", descr, "'"));
  }
  int64_t count = 1;
  for (int64_t d : out.shape) count *= d;
  const size_t data_offset = offset + header_len;
  const size_t want = static_cast<size_t>(count) * at::elementSize(type);
  if (bytes.size() - data_offset != want) {
    throw DataError(StrCat(what, ": header says ", count, " values of '", descr, "' (", want, " bytes) but ",
                           bytes.size() - data_offset, " bytes follow at byte offset ", data_offset,
                           "; the array is truncated or corrupt"));
  }
  at::Tensor raw = at::empty(out.shape, type);
  if (want) std::memcpy(raw.data_ptr(), bytes.data() + data_offset, want);
  out.data = type == at::kFloat ? raw : raw.to(at::kFloat);
  return out;
}

std::string WriteNpy(const at::Tensor& t) {
  at::Tensor c = t.to(at::kCPU).to(at::kFloat).contiguous();
  std::string shape = "(";
  for (int64_t i = 0; i < c.dim(); ++i) shape += StrCat(c.size(i), c.dim() == 1 ? "," : (i + 1 < c.dim() ? ", " : ""));
  shape += ")";
  std::string header = StrCat("{'descr': '<f4', 'fortran_order': False, 'shape': ", shape, ", }");
  // Pad with spaces so that magic + len + header + '\n' is a multiple of 64 bytes.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, 6);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(static_cast<const char*>(c.data_ptr()), c.numel() * sizeof(float));
  return out;
}

}  // namespace augur::data::internal

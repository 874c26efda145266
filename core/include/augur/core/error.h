// Errors: what the user can cause throws a typed augur::Error whose message names the input and the fix;
// a broken invariant is a bug and AUGUR_CHECK aborts with file, line and values.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace augur {

// Status codes shared by the CLI (exit codes), the C API and gRPC (mapped one to one onto grpc::StatusCode).
enum class ErrorCode {
  kInvalidArgument,     // bad config, flag, shape, value (NaN) or spec string
  kNotFound,            // unknown name or missing file
  kOutOfRange,          // a value or index outside its allowed range
  kFailedPrecondition,  // the call is valid but the object is not ready (e.g. plan before reset)
  kDataLoss,            // a corrupt or truncated file
  kIo,                  // the operating system refused a read or a write
  kDeadlineExceeded,
  kUnimplemented,
  kInternal,
};

// Short stable name of a code: "invalid_argument", "not_found", ...
std::string_view ErrorCodeName(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// A configuration, flag, spec string or argument value that is not allowed.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(ErrorCode::kInvalidArgument, message) {}
};
// A tensor or array whose shape does not match what the call needs.
class ShapeError : public Error {
 public:
  explicit ShapeError(const std::string& message) : Error(ErrorCode::kInvalidArgument, message) {}
};
// An unknown name (model, planner, env, key) or a missing file.
class NotFoundError : public Error {
 public:
  explicit NotFoundError(const std::string& message) : Error(ErrorCode::kNotFound, message) {}
};
// A value outside its range (an index, an action outside its bounds when that is an error).
class RangeError : public Error {
 public:
  explicit RangeError(const std::string& message) : Error(ErrorCode::kOutOfRange, message) {}
};
// A file or stream whose content is corrupt, truncated or of an unknown version.
class DataError : public Error {
 public:
  explicit DataError(const std::string& message) : Error(ErrorCode::kDataLoss, message) {}
};
// The operating system failed a read, write, rename or open.
class IoError : public Error {
 public:
  explicit IoError(const std::string& message) : Error(ErrorCode::kIo, message) {}
};
// The object is not in a state where the call makes sense.
class StateError : public Error {
 public:
  explicit StateError(const std::string& message) : Error(ErrorCode::kFailedPrecondition, message) {}
};

// Builds a message from streamable parts: throw ConfigError(StrCat("pop=", pop, " must be >= 1")).
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

namespace internal {
// Collects a message and aborts in its destructor. Used only through AUGUR_CHECK.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return message_; }

 private:
  const char* file_;
  int line_;
  const char* condition_;
  std::ostringstream message_;
};
}  // namespace internal
}  // namespace augur

// AUGUR_CHECK(cond) << "values"; aborts when cond is false. For invariants only, never for user input.
#define AUGUR_CHECK(cond) \
  if (cond) {             \
  } else                  \
    ::augur::internal::CheckFailure(__FILE__, __LINE__, #cond).stream()

#define AUGUR_CHECK_OP(a, op, b) \
  AUGUR_CHECK((a)op(b)) << #a " = " << (a) << ", " #b " = " << (b) << ". "
#define AUGUR_CHECK_EQ(a, b) AUGUR_CHECK_OP(a, ==, b)
#define AUGUR_CHECK_NE(a, b) AUGUR_CHECK_OP(a, !=, b)
#define AUGUR_CHECK_LT(a, b) AUGUR_CHECK_OP(a, <, b)
#define AUGUR_CHECK_LE(a, b) AUGUR_CHECK_OP(a, <=, b)
#define AUGUR_CHECK_GT(a, b) AUGUR_CHECK_OP(a, >, b)
#define AUGUR_CHECK_GE(a, b) AUGUR_CHECK_OP(a, >=, b)

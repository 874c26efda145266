// The one place where augur's error codes become the status codes of the edges. gRPC's canonical codes are
// the common language: the gRPC server returns them and the C API (augur_c.h) uses the same numbers, so a
// robot stack sees one code for one kind of failure whichever way it talks to augur.
#pragma once

#include <exception>
#include <string>

#include "augur/core/error.h"

namespace augur::serve {

// gRPC's canonical status codes (grpc::StatusCode, google.rpc.Code), the values of augur_status in augur_c.h.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
};

// ErrorCode -> StatusCode, one to one (kIo -> kUnavailable: the operating system refused, try again).
StatusCode ToStatusCode(ErrorCode code);
// "OK", "INVALID_ARGUMENT", ... (gRPC's spelling).
const char* StatusCodeName(StatusCode code);

struct Status {
  StatusCode code = StatusCode::kOk;
  std::string message;
  bool ok() const { return code == StatusCode::kOk; }
};

// The status of the exception in flight (call inside a catch block): augur::Error -> its code, bad_alloc ->
// RESOURCE_EXHAUSTED, anything else -> INTERNAL, with the exception's message.
Status StatusFromException(std::exception_ptr error);

// Runs f() and returns OK, or the status of what it threw. Nothing escapes.
template <typename F>
Status Guarded(F&& f) noexcept {
  try {
    f();
    return {};
  } catch (...) {
    return StatusFromException(std::current_exception());
  }
}

}  // namespace augur::serve

#include "augur/serve/status.h"

#include <new>

namespace augur::serve {

StatusCode ToStatusCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return StatusCode::kInvalidArgument;
    case ErrorCode::kNotFound: return StatusCode::kNotFound;
    case ErrorCode::kOutOfRange: return StatusCode::kOutOfRange;
    case ErrorCode::kFailedPrecondition: return StatusCode::kFailedPrecondition;
    case ErrorCode::kDataLoss: return StatusCode::kDataLoss;
    case ErrorCode::kIo: return StatusCode::kUnavailable;
    case ErrorCode::kDeadlineExceeded: return StatusCode::kDeadlineExceeded;
    case ErrorCode::kUnimplemented: return StatusCode::kUnimplemented;
    case ErrorCode::kInternal: return StatusCode::kInternal;
  }
  return StatusCode::kInternal;
}

const char* StatusCodeName(StatusCode code) {
  static constexpr const char* kNames[] = {
      "OK",        "CANCELLED",           "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
      "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS"};
  const int i = static_cast<int>(code);
  return i >= 0 && i < static_cast<int>(std::size(kNames)) ? kNames[i] : "UNKNOWN";
}

Status StatusFromException(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return {ToStatusCode(e.code()), e.what()};
  } catch (const std::bad_alloc& e) {
    return {StatusCode::kResourceExhausted, std::string("out of memory: ") + e.what()};
  } catch (const std::exception& e) {
    return {StatusCode::kInternal, e.what()};
  } catch (...) {
    return {StatusCode::kInternal, "an unknown exception"};
  }
}

}  // namespace augur::serve

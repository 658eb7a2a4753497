// Purpose: the one way footfall reports a run-time failure: a Result<T> holds
// either a value or the reason it could not be made (a sentence for the log);
// Status is Result<void>. Exceptions are kept for start-up errors, which are
// fatal; what can fail while running returns one of these, and the caller
// logs and counts it.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace footfall {

// Why something failed, e.g. "cannot write /var/lib/footfall/seq: No space left".
struct Error {
  std::string message;
};

inline Error Fail(std::string message) { return Error{std::move(message)}; }

// Thrown by Result::value() on a failed result: the failure, as an exception
// (for start-up code that turns a failure into a fatal error).
class BadResultAccess : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // The value; throws BadResultAccess with the reason if !ok().
  T& value() & {
    Check();
    return std::get<0>(v_);
  }
  const T& value() const& {
    Check();
    return std::get<0>(v_);
  }
  T&& value() && {
    Check();
    return std::get<0>(std::move(v_));
  }
  // Only when ok().
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }

  // Only when !ok().
  const std::string& error() const { return std::get<1>(v_).message; }

 private:
  void Check() const {
    if (!ok()) throw BadResultAccess(error());
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;                                // success
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit

  static Result Ok() { return {}; }
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  // "" when ok().
  const std::string& error() const {
    static const std::string kNone;
    return error_ ? error_->message : kNone;
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace footfall

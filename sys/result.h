// Result<T>: an error-or-value carrier shaped like C++23 std::expected<T, Error>.
// Debian 12's toolchain stops at C++20, so we carry our own; it keeps the std names
// (has_value, value, error, operator*, value_or) so the switch later is mechanical.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace emp {

// An error is a message (what failed, on which object, and why) and, when it came
// from a syscall, the errno that caused it.
struct Error {
  std::string message;
  int code = 0;
};

struct Unexpected {
  Error error;
};

inline Unexpected fail(std::string message, int code = 0) {
  return Unexpected{Error{std::move(message), code}};
}

// "<what>: <strerror(errno)>" with errno kept; call right after the failing syscall.
inline Unexpected fail_errno(std::string_view what, int code = errno) {
  std::string message(what);
  message += ": ";
  message += std::strerror(code);
  return Unexpected{Error{std::move(message), code}};
}

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Unexpected e) : v_(std::in_place_index<1>, std::move(e.error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  // Prefixes the error message with what the caller was doing: "start 'web': " + message.
  Result&& context(std::string_view what) && {
    if (!has_value()) prefix(std::get<1>(v_), what);
    return std::move(*this);
  }

  static void prefix(Error& e, std::string_view what) {
    e.message.insert(0, std::string(what) + ": ");
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Unexpected e) : error_(std::move(e.error)), failed_(true) {}  // NOLINT

  bool has_value() const { return !failed_; }
  explicit operator bool() const { return has_value(); }
  void value() const {}

  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

  Result&& context(std::string_view what) && {
    if (failed_) Result<int>::prefix(error_, what);
    return std::move(*this);
  }

 private:
  Error error_;
  bool failed_ = false;
};

inline Result<void> ok() { return {}; }

template <class T>
Unexpected forward_error(Result<T>&& r) {
  return Unexpected{std::move(r).error()};
}

}  // namespace emp

// Propagation helpers: the only macros in the project. They keep the error path to one
// line where a hand-written `if (!r) return Unexpected{...}` would drown the logic.
#define EMP_CONCAT_INNER(a, b) a##b
#define EMP_CONCAT(a, b) EMP_CONCAT_INNER(a, b)

// EMP_TRY(auto fd, open_something());  declares fd or returns the error. It expands to
// several statements: never use it as the body of an unbraced if.
#define EMP_TRY(decl, expr)                                                 \
  auto EMP_CONCAT(emp_try_, __LINE__) = (expr);                             \
  if (!EMP_CONCAT(emp_try_, __LINE__))                                      \
    return ::emp::forward_error(std::move(EMP_CONCAT(emp_try_, __LINE__))); \
  decl = std::move(*EMP_CONCAT(emp_try_, __LINE__))

// EMP_CHECK(do_something());  returns the error of a Result<void> (or any Result).
#define EMP_CHECK(expr)                                                     \
  do {                                                                      \
    auto emp_check_result = (expr);                                         \
    if (!emp_check_result) return ::emp::forward_error(std::move(emp_check_result)); \
  } while (false)

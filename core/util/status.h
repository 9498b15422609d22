#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace vigil {

// The outcome of an operation that can fail. Errors at module boundaries are
// values, not exceptions; the message is written for the user and names where
// the problem is ("vigil.yml:3:5: unknown key 'listn'").
class [[nodiscard]] Status {
public:
    enum class Code {
        kOk,
        kInvalidArgument,
        kNotFound,
        kIoError,
        kCorruption,
        kUnavailable,
        kResourceExhausted,
        kCancelled,
        kTimeout,
        kInternal
    };

    Status() = default;
    static Status ok() { return Status(); }
    static Status error(std::string message) {
        return Status(Code::kInvalidArgument, std::move(message));
    }
    static Status error(Code code, std::string message) { return Status(code, std::move(message)); }
    static Status ioError(std::string message) {
        return Status(Code::kIoError, std::move(message));
    }
    static Status corruption(std::string message) {
        return Status(Code::kCorruption, std::move(message));
    }

    bool isOk() const { return m_code == Code::kOk; }
    explicit operator bool() const { return isOk(); }
    Code code() const { return m_code; }
    const std::string& message() const { return m_message; }

    // Returns this status with `context` prepended ("loading rules: ...").
    Status withContext(const std::string& context) const {
        if (isOk())
            return *this;
        return Status(m_code, context + ": " + m_message);
    }

private:
    Status(Code code, std::string message) : m_code(code), m_message(std::move(message)) {}

    Code m_code = Code::kOk;
    std::string m_message;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_value(std::move(value)) {}         // NOLINT(google-explicit-constructor)
    Result(Status status) : m_status(std::move(status)) {  // NOLINT(google-explicit-constructor)
        assert(!m_status.isOk() && "a Result built from a Status must carry an error");
    }

    bool isOk() const { return m_value.has_value(); }
    explicit operator bool() const { return isOk(); }
    const Status& status() const { return m_status; }

    // REQUIRES: isOk()
    T& value() & {
        assert(isOk());
        return *m_value;
    }
    const T& value() const& {
        assert(isOk());
        return *m_value;
    }
    T&& value() && {
        assert(isOk());
        return std::move(*m_value);
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(value()); }

private:
    std::optional<T> m_value;
    Status m_status;
};

}  // namespace vigil

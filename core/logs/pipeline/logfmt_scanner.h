#pragma once

#include <string>
#include <string_view>

// A logfmt scanner with go-logfmt's rules (what Promtail's logfmt stage
// uses): key = bytes above ' ' other than '=' and '"'; `key` alone, `key=`,
// `key=bare` or `key="quoted \"string\""`. Scanning stops at the first
// syntax error, keeping the pairs before it. Not thread-safe; reusable.
namespace vigil::logs::pipeline {

class LogfmtScanner {
public:
    explicit LogfmtScanner(std::string_view text) : m_s(text) {}

    // Advances to the next key/value; false at the end or on an error.
    bool next();
    std::string_view key() const { return m_key; }
    // Unquoted value (valid until the next call).
    std::string_view value() const { return m_value; }

private:
    std::string_view m_s;
    std::size_t m_pos = 0;
    std::string_view m_key;
    std::string_view m_value;
    std::string m_unquoted;
};

}  // namespace vigil::logs::pipeline

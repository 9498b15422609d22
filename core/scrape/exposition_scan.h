#pragma once

// Character classes and scanning helpers shared by the exposition parsers.
// Internal to core/scrape; table lookups keep the per-byte cost to one load.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vigil::scrape::scan {

enum : std::uint8_t {
    kNameStart = 1 << 0,       // [a-zA-Z_:]
    kNameChar = 1 << 1,        // [a-zA-Z0-9_:]
    kLabelNameStart = 1 << 2,  // [a-zA-Z_]
    kLabelNameChar = 1 << 3,   // [a-zA-Z0-9_]
    kLabelValueStop = 1 << 4,  // '"', '\\', '\n' and bytes >= 0x80
    kDigit = 1 << 5,           // [0-9]
    kValueStop = 1 << 6,       // '{', ' ', '\t', '\n', NUL (0.0.4 value/timestamp end)
};

constexpr std::array<std::uint8_t, 256> makeClassTable() {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        std::uint8_t v = 0;
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        if (alpha || c == '_' || c == ':')
            v |= kNameStart;
        if (alpha || digit || c == '_' || c == ':')
            v |= kNameChar;
        if (alpha || c == '_')
            v |= kLabelNameStart;
        if (alpha || digit || c == '_')
            v |= kLabelNameChar;
        if (c == '"' || c == '\\' || c == '\n' || c >= 0x80)
            v |= kLabelValueStop;
        if (digit)
            v |= kDigit;
        if (c == '{' || c == ' ' || c == '\t' || c == '\n' || c == 0)
            v |= kValueStop;
        t[static_cast<std::size_t>(c)] = v;
    }
    return t;
}

inline constexpr std::array<std::uint8_t, 256> kClass = makeClassTable();

inline std::uint8_t classOf(char c) {
    return kClass[static_cast<unsigned char>(c)];
}
inline bool isBlank(char c) {
    return c == ' ' || c == '\t';
}
inline bool isNameStart(char c) {
    return classOf(c) & kNameStart;
}
inline bool isNameChar(char c) {
    return classOf(c) & kNameChar;
}
inline bool isLabelNameStart(char c) {
    return classOf(c) & kLabelNameStart;
}
inline bool isLabelNameChar(char c) {
    return classOf(c) & kLabelNameChar;
}
inline bool isDigitChar(char c) {
    return classOf(c) & kDigit;
}
inline bool isValueChar(char c) {
    return !(classOf(c) & kValueStop);
}

// The first position at or after `p` holding '"', '\\', '\n' or a byte >= 0x80;
// `size` if none.
inline std::size_t findQuoteOrSpecial(const char* in, std::size_t p, std::size_t size) {
    while (p < size && !(classOf(in[p]) & kLabelValueStop))
        ++p;
    return p;
}

// The position of the first '\n' at or after `p`; `size` if none.
inline std::size_t findNewline(const char* in, std::size_t p, std::size_t size) {
    if (p >= size)
        return size;
    const void* hit = std::memchr(in + p, '\n', size - p);
    return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - in) : size;
}

}  // namespace vigil::scrape::scan

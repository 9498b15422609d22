#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

// Decodes the UTF-8 sequence starting at s[i] (REQUIRES: i < s.size()):
// returns its length in bytes and stores the code point in *codePoint, or
// returns 0 when the bytes there are not valid UTF-8 (overlong forms,
// surrogates and code points past U+10FFFF included), as Go's utf8 package
// decides. The quoting and JSON formatters that must match Go's use it.
std::size_t decodeUtf8(std::string_view s, std::size_t i, std::uint32_t* codePoint);

// Appends the UTF-8 encoding of `codePoint` (REQUIRES: <= U+10FFFF).
void appendUtf8(std::string& out, std::uint32_t codePoint);

// Decodes one JSON string escape: `pos` is the index just after the
// backslash. On success appends the character to `out`, moves `pos` past the
// escape and returns true; on an invalid escape (an unknown letter, a \u
// without four hex digits) returns false with `pos` unchanged. A \u
// surrogate pair becomes its code point; an unpaired surrogate becomes
// U+FFFD, as Go's encoding/json decodes it. Never throws.
bool decodeJsonEscape(std::string_view s, std::size_t& pos, std::string& out);

}  // namespace vigil

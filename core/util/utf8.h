#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil {

// Decodes the UTF-8 sequence starting at s[i] (REQUIRES: i < s.size()):
// returns its length in bytes and stores the code point in *codePoint, or
// returns 0 when the bytes there are not valid UTF-8 (overlong forms,
// surrogates and code points past U+10FFFF included), as Go's utf8 package
// decides. The quoting and JSON formatters that must match Go's use it.
std::size_t decodeUtf8(std::string_view s, std::size_t i, std::uint32_t* codePoint);

}  // namespace vigil

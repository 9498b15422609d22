#include "core/util/utf8.h"

#include <array>

namespace vigil {

std::size_t decodeUtf8(std::string_view s, std::size_t i, std::uint32_t* codePoint) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
        *codePoint = b;
        return 1;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((b & 0xE0) == 0xC0) {
        n = 2;
        cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
        n = 3;
        cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
        n = 4;
        cp = b & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size())
        return 0;
    for (std::size_t k = 1; k < n; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr std::array<std::uint32_t, 5> kMin = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *codePoint = cp;
    return n;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

namespace {

// Four hex digits at s[pos]; false when there are not four.
bool hex4(std::string_view s, std::size_t pos, std::uint32_t* value) {
    if (pos + 4 > s.size())
        return false;
    std::uint32_t v = 0;
    for (std::size_t i = pos; i < pos + 4; ++i) {
        const char c = s[i];
        int digit = -1;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        if (digit < 0)
            return false;
        v = v * 16 + static_cast<std::uint32_t>(digit);
    }
    *value = v;
    return true;
}

}  // namespace

bool decodeJsonEscape(std::string_view s, std::size_t& pos, std::string& out) {
    if (pos >= s.size())
        return false;
    char simple = 0;
    switch (s[pos]) {
        case '"':
            simple = '"';
            break;
        case '\\':
            simple = '\\';
            break;
        case '/':
            simple = '/';
            break;
        case 'b':
            simple = '\b';
            break;
        case 'f':
            simple = '\f';
            break;
        case 'n':
            simple = '\n';
            break;
        case 'r':
            simple = '\r';
            break;
        case 't':
            simple = '\t';
            break;
        case 'u':
            break;
        default:
            return false;
    }
    if (simple != 0) {
        out.push_back(simple);
        ++pos;
        return true;
    }
    std::uint32_t cp = 0;
    if (!hex4(s, pos + 1, &cp))
        return false;
    std::size_t next = pos + 5;
    if (cp >= 0xD800 && cp < 0xDC00) {
        std::uint32_t low = 0;
        if (next + 1 < s.size() && s[next] == '\\' && s[next + 1] == 'u' &&
            hex4(s, next + 2, &low) && low >= 0xDC00 && low < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            next += 6;
        } else {
            cp = 0xFFFD;
        }
    } else if (cp >= 0xDC00 && cp < 0xE000) {
        cp = 0xFFFD;
    }
    appendUtf8(out, cp);
    pos = next;
    return true;
}

}  // namespace vigil

#include "core/logs/pipeline/logfmt_scanner.h"

#include "core/util/utf8.h"

namespace vigil::logs::pipeline {
namespace {

bool isKeyByte(unsigned char c) {
    return c > ' ' && c != '=' && c != '"' && c != 0x7f;
}

}  // namespace

bool LogfmtScanner::next() {
    while (m_pos < m_s.size() && static_cast<unsigned char>(m_s[m_pos]) <= ' ')
        ++m_pos;
    if (m_pos >= m_s.size())
        return false;
    const std::size_t k = m_pos;
    while (m_pos < m_s.size() && isKeyByte(static_cast<unsigned char>(m_s[m_pos])))
        ++m_pos;
    if (m_pos == k)
        return false;  // '=' or '"' where a key should start
    m_key = m_s.substr(k, m_pos - k);
    m_value = {};
    if (m_pos >= m_s.size() || m_s[m_pos] != '=')
        return true;  // a key without a value
    ++m_pos;
    if (m_pos >= m_s.size() || static_cast<unsigned char>(m_s[m_pos]) <= ' ')
        return true;  // `key=`
    if (m_s[m_pos] != '"') {
        const std::size_t v = m_pos;
        while (m_pos < m_s.size() && isKeyByte(static_cast<unsigned char>(m_s[m_pos])))
            ++m_pos;
        if (m_pos < m_s.size() && (m_s[m_pos] == '=' || m_s[m_pos] == '"'))
            return false;  // unexpected '=' or '"' in a bare value
        m_value = m_s.substr(v, m_pos - v);
        return true;
    }
    // A quoted value with Go's escapes.
    ++m_pos;
    const std::size_t v = m_pos;
    bool escaped = false;
    while (m_pos < m_s.size() && m_s[m_pos] != '"') {
        if (m_s[m_pos] == '\\') {
            escaped = true;
            ++m_pos;
        }
        ++m_pos;
    }
    if (m_pos >= m_s.size())
        return false;  // unterminated
    const std::string_view raw = m_s.substr(v, m_pos - v);
    ++m_pos;
    if (!escaped) {
        m_value = raw;
        return true;
    }
    m_unquoted.clear();
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\') {
            m_unquoted.push_back(raw[i]);
            continue;
        }
        const char e = raw[++i];
        switch (e) {
            case 'n':
                m_unquoted.push_back('\n');
                break;
            case 't':
                m_unquoted.push_back('\t');
                break;
            case 'r':
                m_unquoted.push_back('\r');
                break;
            case 'b':
                m_unquoted.push_back('\b');
                break;
            case 'f':
                m_unquoted.push_back('\f');
                break;
            case '/':
                m_unquoted.push_back('/');
                break;
            case '\\':
                m_unquoted.push_back('\\');
                break;
            case '"':
                m_unquoted.push_back('"');
                break;
            case 'u': {
                std::uint32_t cp = 0;
                if (i + 4 >= raw.size())
                    return false;
                for (int k2 = 1; k2 <= 4; ++k2) {
                    const char h = raw[i + static_cast<std::size_t>(k2)];
                    cp <<= 4;
                    if (h >= '0' && h <= '9')
                        cp |= static_cast<std::uint32_t>(h - '0');
                    else if (h >= 'a' && h <= 'f')
                        cp |= static_cast<std::uint32_t>(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F')
                        cp |= static_cast<std::uint32_t>(h - 'A' + 10);
                    else
                        return false;
                }
                i += 4;
                appendUtf8(m_unquoted, cp);
                break;
            }
            default:
                return false;
        }
    }
    m_value = m_unquoted;
    return true;
}

}  // namespace vigil::logs::pipeline

#include "core/promql/eval_support.h"

#include <cstdio>
#include <vector>

namespace vigil::promql {

std::string promLabelsString(const model::Labels& labels) {
    std::string out = "{";
    bool first = true;
    for (const auto& l : labels) {
        if (!first)
            out += ", ";
        first = false;
        out += l.name;
        out += "=\"";
        out += model::escapeLabelValue(l.value);
        out += '"';
    }
    out += '}';
    return out;
}

namespace {
// Length of the valid UTF-8 sequence at s[i], 0 when invalid.
std::size_t utf8Len(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0 && c >= 0xC2)
        n = 2;
    else if ((c & 0xF0) == 0xE0)
        n = 3;
    else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if (i + n > s.size())
        return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
            return 0;
    return n;
}
}  // namespace

bool validLabelName(std::string_view name, bool utf8) {
    if (name.empty())
        return false;
    if (utf8) {
        for (std::size_t i = 0; i < name.size();) {
            const std::size_t n = utf8Len(name, i);
            if (n == 0)
                return false;
            i += n;
        }
        return true;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                        (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

int naturalCompare(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
    while (i < a.size() && j < b.size()) {
        if (isDigit(a[i]) && isDigit(b[j])) {
            std::size_t ie = i, je = j;
            while (ie < a.size() && isDigit(a[ie]))
                ++ie;
            while (je < b.size() && isDigit(b[je]))
                ++je;
            std::string_view na = a.substr(i, ie - i), nb = b.substr(j, je - j);
            while (na.size() > 1 && na[0] == '0')
                na.remove_prefix(1);
            while (nb.size() > 1 && nb[0] == '0')
                nb.remove_prefix(1);
            if (na.size() != nb.size())
                return na.size() < nb.size() ? -1 : 1;
            if (const int c = na.compare(nb); c != 0)
                return c < 0 ? -1 : 1;
            i = ie;
            j = je;
            continue;
        }
        if (a[i] != b[j])
            return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]) ? -1 : 1;
        ++i;
        ++j;
    }
    if (i == a.size() && j == b.size())
        return 0;
    return i == a.size() ? -1 : 1;
}

std::string expandTemplate(std::string_view tmpl, const std::string_view* groups, int groupCount,
                           const std::vector<std::string>& groupNames) {
    std::string out;
    auto isNameChar = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    };
    for (std::size_t i = 0; i < tmpl.size();) {
        const char c = tmpl[i];
        if (c != '$' || i + 1 >= tmpl.size()) {
            out += c;
            ++i;
            continue;
        }
        if (tmpl[i + 1] == '$') {
            out += '$';
            i += 2;
            continue;
        }
        std::string_view name;
        std::size_t next = 0;
        if (tmpl[i + 1] == '{') {
            const std::size_t close = tmpl.find('}', i + 2);
            if (close == std::string_view::npos) {
                out += c;
                ++i;
                continue;
            }
            name = tmpl.substr(i + 2, close - i - 2);
            bool ok = !name.empty();
            for (char ch : name)
                ok = ok && isNameChar(ch);
            if (!ok) {
                out += c;
                ++i;
                continue;
            }
            next = close + 1;
        } else {
            std::size_t e = i + 1;
            while (e < tmpl.size() && isNameChar(tmpl[e]))
                ++e;
            if (e == i + 1) {
                out += c;
                ++i;
                continue;
            }
            name = tmpl.substr(i + 1, e - i - 1);
            next = e;
        }
        int num = 0;
        for (char ch : name) {
            if (ch < '0' || ch > '9' || num >= 100000000) {
                num = -1;
                break;
            }
            num = num * 10 + (ch - '0');
        }
        if (num >= 0) {
            if (num < groupCount)
                out.append(groups[num]);
        } else {
            for (int g = 0; g < groupCount && g < static_cast<int>(groupNames.size()); ++g)
                if (groupNames[static_cast<std::size_t>(g)] == name) {
                    out.append(groups[g]);
                    break;
                }
        }
        i = next;
    }
    return out;
}

}  // namespace vigil::promql

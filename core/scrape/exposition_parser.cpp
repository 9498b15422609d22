#include "core/scrape/exposition_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace vigil::scrape {

std::string_view metricTypeName(MetricType type) {
    switch (type) {
        case MetricType::kUnknown:
            return "unknown";
        case MetricType::kCounter:
            return "counter";
        case MetricType::kGauge:
            return "gauge";
        case MetricType::kHistogram:
            return "histogram";
        case MetricType::kGaugeHistogram:
            return "gaugehistogram";
        case MetricType::kSummary:
            return "summary";
        case MetricType::kInfo:
            return "info";
        case MetricType::kStateset:
            return "stateset";
    }
    return "unknown";
}

Entry ExpositionParser::fail(std::size_t errorPos, std::string_view message) {
    errorPos = std::min(errorPos, m_in.size());
    std::size_t line = m_entryLine;
    if (errorPos > m_entryStart)
        line += static_cast<std::size_t>(
            std::count(m_in.begin() + static_cast<std::ptrdiff_t>(m_entryStart),
                       m_in.begin() + static_cast<std::ptrdiff_t>(errorPos), '\n'));
    m_entryLine = line;
    m_status = Status::error("line " + std::to_string(line) + ": " + std::string(message));
    m_failed = true;
    return Entry::kInvalid;
}

std::string ExpositionParser::quoteForError(std::string_view bytes, bool keepTail) {
    // An unterminated quote in a 0.0.4 page can make a "token" run to the end
    // of a multi-megabyte body; messages show a bounded excerpt instead.
    constexpr std::size_t kMaxQuoted = 256;
    if (bytes.size() <= kMaxQuoted)
        return goQuote(bytes);
    if (keepTail)
        return "..." + goQuote(bytes.substr(bytes.size() - kMaxQuoted));
    return goQuote(bytes.substr(0, kMaxQuoted)) + "...";
}

Entry ExpositionParser::failExpected(std::string_view expected, std::size_t tokenBegin,
                                     std::size_t tokenEnd) {
    tokenBegin = std::min(tokenBegin, m_in.size());
    tokenEnd = std::clamp(tokenEnd, tokenBegin, m_in.size());
    std::string message(expected);
    message += ", got ";
    message += quoteForError(m_in.substr(tokenBegin, tokenEnd - tokenBegin), false);
    message += " while parsing: ";
    message += quoteForError(m_in.substr(m_entryStart, tokenEnd - m_entryStart), true);
    return fail(tokenBegin, message);
}

void ExpositionParser::unescapeLabelValue(std::string_view raw, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '\\' && i + 1 < raw.size()) {
            char n = raw[i + 1];
            if (n == '\\' || n == '"') {
                out += n;
                ++i;
                continue;
            }
            if (n == 'n') {
                out += '\n';
                ++i;
                continue;
            }
        }
        out += c;
    }
}

std::string_view ExpositionParser::labelValue(const LabelSpan& span) const {
    std::string_view raw = m_in.substr(span.valueBegin, span.valueLen);
    if (!span.escaped)
        return raw;
    unescapeLabelValue(raw, m_valueScratch);
    return m_valueScratch;
}

bool ExpositionParser::checkUniqueLabelNames() {
    const std::size_t n = m_labels.size();
    for (std::size_t i = 1; i < n; ++i) {
        std::string_view a = m_in.substr(m_labels[i].nameBegin, m_labels[i].nameLen);
        for (std::size_t j = 0; j < i; ++j) {
            if (m_labels[j].nameLen == a.size() &&
                m_in.compare(m_labels[j].nameBegin, a.size(), a) == 0) {
                fail(m_labels[i].nameBegin,
                     "label name " + goQuote(a) +
                         " is not unique while parsing: " + quoteForError(m_series, true));
                return false;
            }
        }
    }
    return true;
}

void ExpositionParser::labels(model::LabelsBuilder& builder) const {
    forEachLabel([&](std::string_view name, std::string_view value) { builder.set(name, value); });
}

model::Labels ExpositionParser::labels() const {
    std::vector<model::Label> list;
    list.reserve(m_labels.size() + 1);
    forEachLabel([&](std::string_view name, std::string_view value) {
        list.push_back({std::string(name), std::string(value)});
    });
    return model::Labels::fromUnsorted(std::move(list));
}

bool ExpositionParser::exemplar(Exemplar& out) const {
    if (!m_hasExemplar)
        return false;
    std::vector<model::Label> list;
    list.reserve(m_exemplarLabels.size());
    for (const LabelSpan& span : m_exemplarLabels)
        list.push_back({std::string(m_in.substr(span.nameBegin, span.nameLen)),
                        std::string(labelValue(span))});
    out.labels = model::Labels::fromUnsorted(std::move(list));
    out.value = m_exemplarValue;
    out.timestamp = m_exemplarTimestamp;
    return true;
}

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view lowerB) {
    if (a.size() != lowerB.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != lowerB[i])
            return false;
    }
    return true;
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// Go's decimal float grammar: [+-]? (d+ [. d*] | . d+) ([eE] [+-]? d+)?
bool isDecimalFloat(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
        ++i;
    std::size_t digits = 0;
    while (i < s.size() && isDigit(s[i])) {
        ++i;
        ++digits;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && isDigit(s[i])) {
            ++i;
            ++digits;
        }
    }
    if (digits == 0)
        return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            ++i;
        std::size_t expDigits = 0;
        while (i < s.size() && isDigit(s[i])) {
            ++i;
            ++expDigits;
        }
        if (expDigits == 0)
            return false;
    }
    return i == s.size();
}

}  // namespace

bool parseGoFloat(std::string_view text, double& out, std::string& error) {
    // Fast path for plain decimals of at most 15 significant digits without an
    // exponent (nearly every sample value and timestamp): the digits form an
    // integer below 2^53 and the power of ten is exact, so one IEEE division
    // gives the correctly rounded result, the same double Go produces.
    static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    {
        const char* s = text.data();
        const std::size_t n = text.size();
        std::size_t i = 0;
        bool negative = false;
        if (i < n && (s[i] == '-' || s[i] == '+')) {
            negative = s[i] == '-';
            ++i;
        }
        std::uint64_t mantissa = 0;
        int digits = 0;
        int fraction = 0;
        bool dot = false;
        bool plain = i < n;
        for (; i < n; ++i) {
            const char c = s[i];
            if (c >= '0' && c <= '9') {
                if (++digits > 15) {
                    plain = false;
                    break;
                }
                mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
                fraction += dot ? 1 : 0;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                plain = false;
                break;
            }
        }
        if (plain && digits > 0) {
            double v = static_cast<double>(mantissa);
            if (fraction > 0)
                v /= kPow10[fraction];
            out = negative ? -v : v;
            return true;
        }
    }
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (isDecimalFloat(text)) {
        const char* begin = first;
        if (*begin == '+')
            ++begin;
        auto [ptr, ec] = std::from_chars(begin, last, out, std::chars_format::general);
        if (ec == std::errc() && ptr == last)
            return true;
        if (ec == std::errc::result_out_of_range) {
            // Overflow is an error in Go; underflow quietly gives 0 or a
            // denormal. strtod tells the two apart.
            std::string copy(text);
            double v = std::strtod(copy.c_str(), nullptr);
            if (std::isinf(v)) {
                error = "strconv.ParseFloat: parsing " + goQuote(text) + ": value out of range";
                return false;
            }
            out = v;
            return true;
        }
    }
    // Prometheus refuses hexadecimal floats and underscores before Go sees them.
    if (text.find_first_of("pP_") != std::string_view::npos) {
        error = "unsupported character in float";
        return false;
    }
    std::string_view body = text;
    bool negative = false;
    bool hasSign = false;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
        negative = body[0] == '-';
        hasSign = true;
        body.remove_prefix(1);
    }
    if (equalsIgnoreCase(body, "inf") || equalsIgnoreCase(body, "infinity")) {
        out = negative ? -HUGE_VAL : HUGE_VAL;
        return true;
    }
    // Go accepts no sign on NaN.
    if (!hasSign && equalsIgnoreCase(body, "nan")) {
        out = std::nan("");
        return true;
    }
    error = "strconv.ParseFloat: parsing " + goQuote(text) + ": invalid syntax";
    return false;
}

bool parseGoInt64(std::string_view text, std::int64_t& out, std::string& error) {
    std::string_view body = text;
    if (!body.empty() && body[0] == '+')
        body.remove_prefix(1);
    bool ok = !body.empty() && std::all_of(body.begin() + (body[0] == '-' ? 1 : 0), body.end(),
                                           [](char c) { return isDigit(c); });
    if (ok && body == "-")
        ok = false;
    if (!ok) {
        error = "strconv.ParseInt: parsing " + goQuote(text) + ": invalid syntax";
        return false;
    }
    auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), out);
    if (ec == std::errc::result_out_of_range) {
        error = "strconv.ParseInt: parsing " + goQuote(text) + ": value out of range";
        return false;
    }
    if (ec != std::errc() || ptr != body.data() + body.size()) {
        error = "strconv.ParseInt: parsing " + goQuote(text) + ": invalid syntax";
        return false;
    }
    return true;
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
std::size_t utf8SequenceLength(std::string_view s, std::size_t i) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    if (c < 0x80)
        return 1;
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size())
        return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (b(i + k) & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return n;
}

}  // namespace

bool isValidUtf8(std::string_view bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        if (static_cast<unsigned char>(bytes[i]) < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = utf8SequenceLength(bytes, i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

}  // namespace vigil::scrape

#include "core/scrape/prom_text_parser.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "core/scrape/exposition_scan.h"

namespace vigil::scrape {

using namespace scan;

PromTextParser::PromTextParser(std::string_view input) : ExpositionParser(input) {
    m_labels.reserve(16);
}

Entry PromTextParser::next() {
    if (m_failed)
        return Entry::kInvalid;
    const std::size_t size = m_in.size();
    const char* in = m_in.data();
    for (;;) {
        beginEntry();
        std::size_t p = m_pos;
        while (p < size && isBlank(in[p]))
            ++p;
        if (p >= size || in[p] == '\0') {
            m_pos = size;
            return Entry::kEnd;
        }
        const char c = in[p];
        if (c == '\n') {
            m_pos = p + 1;
            ++m_line;
            continue;
        }
        if (c == '#')
            return parseMetadata(p);
        if (isNameStart(c)) {
            m_pos = p;
            return parseSeries();
        }
        // Prometheus 2.42's well-known wording, plus the offending character.
        return failExpected("\"INVALID\" is not a valid start token", p, p + 1);
    }
}

Entry PromTextParser::parseMetadata(std::size_t hashPos) {
    const std::size_t size = m_in.size();
    const char* in = m_in.data();
    std::size_t eol = hashPos;
    eol = findNewline(in, eol, size);

    std::size_t p = hashPos + 1;
    bool isHelp = false;
    bool isType = false;
    if (p < size && isBlank(in[p])) {
        while (p < size && isBlank(in[p]))
            ++p;
        std::string_view rest = m_in.substr(p, eol - p);
        if (rest.size() > 4 && isBlank(rest[4])) {
            isHelp = rest.starts_with("HELP");
            isType = rest.starts_with("TYPE");
        }
    }
    if (!isHelp && !isType) {
        m_text = m_in.substr(hashPos, eol - hashPos);
        m_pos = eol < size ? eol + 1 : size;
        ++m_line;
        return Entry::kComment;
    }
    const std::string_view keyword = isHelp ? "HELP" : "TYPE";
    p += 4;
    while (p < eol && isBlank(in[p]))
        ++p;
    if (p >= eol || !isNameStart(in[p]))
        return failExpected("expected metric name after " + std::string(keyword), p, p + 1);
    const std::size_t nameBegin = p;
    while (p < eol && isNameChar(in[p]))
        ++p;
    m_metricName = m_in.substr(nameBegin, p - nameBegin);
    // Like Prometheus, the text starts one character after the name.
    std::string_view text = p + 1 < eol ? m_in.substr(p + 1, eol - p - 1) : std::string_view();
    // NUL bytes inside metadata text are skipped by Prometheus's lexer.
    if (isType) {
        std::string_view t = text;
        if (t == "counter")
            m_type = MetricType::kCounter;
        else if (t == "gauge")
            m_type = MetricType::kGauge;
        else if (t == "histogram")
            m_type = MetricType::kHistogram;
        else if (t == "summary")
            m_type = MetricType::kSummary;
        else if (t == "untyped")
            m_type = MetricType::kUnknown;
        else
            return fail(p, "invalid metric type " + goQuote(t));
        m_text = text;
    } else {
        if (!isValidUtf8(text))
            return fail(p, "help text " + goQuote(text) + " is not a valid utf8 string");
        if (text.find('\\') != std::string_view::npos) {
            m_textScratch.clear();
            for (std::size_t i = 0; i < text.size(); ++i) {
                if (text[i] == '\\' && i + 1 < text.size() &&
                    (text[i + 1] == '\\' || text[i + 1] == 'n')) {
                    m_textScratch += text[i + 1] == 'n' ? '\n' : '\\';
                    ++i;
                } else {
                    m_textScratch += text[i];
                }
            }
            m_text = m_textScratch;
        } else {
            m_text = text;
        }
    }
    m_pos = eol < size ? eol + 1 : size;
    ++m_line;
    return isHelp ? Entry::kHelp : Entry::kType;
}

bool PromTextParser::parseLabels() {
    const std::size_t size = m_in.size();
    const char* in = m_in.data();
    std::size_t p = m_pos;  // just after '{'
    for (;;) {
        while (p < size && isBlank(in[p]))
            ++p;
        if (p >= size) {
            failExpected("expected label name", p, p);
            return false;
        }
        if (in[p] == '}') {
            m_pos = p + 1;
            return true;
        }
        if (!isLabelNameStart(in[p])) {
            failExpected("expected label name", p, p + 1);
            return false;
        }
        LabelSpan span;
        span.nameBegin = p;
        ++p;
        while (p < size && isLabelNameChar(in[p]))
            ++p;
        span.nameLen = p - span.nameBegin;
        while (p < size && isBlank(in[p]))
            ++p;
        if (p >= size || in[p] != '=') {
            failExpected("expected equal", p, p + 1);
            return false;
        }
        ++p;
        while (p < size && isBlank(in[p]))
            ++p;
        if (p >= size || in[p] != '"') {
            failExpected("expected label value", p, p + 1);
            return false;
        }
        const std::size_t quote = p;
        ++p;
        span.valueBegin = p;
        bool escaped = false;
        unsigned char high = 0;
        for (;;) {
            p = findQuoteOrSpecial(in, p, size);
            if (p >= size) {
                // Unterminated: Prometheus reports the rest of the input.
                failExpected("expected label value", quote, size);
                return false;
            }
            const char c = in[p];
            if (c == '"')
                break;
            if (c == '\\') {
                escaped = true;
                if (p + 1 >= size) {
                    failExpected("expected label value", quote, size);
                    return false;
                }
                if (in[p + 1] == '\n')
                    ++m_line;
                p += 2;
                continue;
            }
            if (c == '\n')
                ++m_line;
            else
                high = 0x80;
            ++p;
        }
        span.valueLen = p - span.valueBegin;
        span.escaped = escaped;
        if (high != 0) {
            std::string_view raw = m_in.substr(span.valueBegin, span.valueLen);
            if (!isValidUtf8(raw)) {
                fail(quote,
                     "invalid UTF-8 label value while parsing: " +
                         quoteForError(m_in.substr(m_entryStart, p + 1 - m_entryStart), true));
                return false;
            }
        }
        m_labels.push_back(span);
        ++p;  // closing quote
        while (p < size && isBlank(in[p]))
            ++p;
        if (p < size && in[p] == ',')
            ++p;
    }
}

Entry PromTextParser::parseSeries() {
    const std::size_t size = m_in.size();
    const char* in = m_in.data();
    // Errors quote the entry from the metric name on.
    m_entryStart = m_pos;
    std::size_t p = m_pos;
    const std::size_t nameBegin = p;
    ++p;
    while (p < size && isNameChar(in[p]))
        ++p;
    m_metricName = m_in.substr(nameBegin, p - nameBegin);
    m_series = m_metricName;
    while (p < size && isBlank(in[p]))
        ++p;
    if (p < size && in[p] == '{') {
        m_pos = p + 1;
        if (!parseLabels())
            return Entry::kInvalid;
        p = m_pos;
        m_series = m_in.substr(nameBegin, p - nameBegin);
        if (m_labels.size() > 1 && !checkUniqueLabelNames())
            return Entry::kInvalid;
        while (p < size && isBlank(in[p]))
            ++p;
    }
    // value := [^{ \t\n]+
    const std::size_t valueBegin = p;
    while (p < size && isValueChar(in[p]))
        ++p;
    if (p == valueBegin)
        return failExpected("expected value after metric", p, p + 1);
    std::string error;
    if (!parseGoFloat(m_in.substr(valueBegin, p - valueBegin), m_value, error))
        return fail(valueBegin, error + " while parsing: " +
                                    quoteForError(m_in.substr(nameBegin, p - nameBegin), true));
    if (std::isnan(m_value))
        m_value = std::bit_cast<double>(kNormalNaNBits);
    while (p < size && isBlank(in[p]))
        ++p;
    if (p < size && isDigitChar(in[p])) {
        const std::size_t tsBegin = p;
        while (p < size && isDigitChar(in[p]))
            ++p;
        if (!parseGoInt64(m_in.substr(tsBegin, p - tsBegin), m_timestamp, error))
            return fail(tsBegin, error + " while parsing: " +
                                     quoteForError(m_in.substr(nameBegin, p - nameBegin), true));
        m_hasTimestamp = true;
        while (p < size && isBlank(in[p]))
            ++p;
        if (p < size && in[p] != '\n')
            return failExpected("expected next entry after timestamp", p, p + 1);
    } else if (p < size && in[p] != '\n') {
        return failExpected("expected timestamp or new record", p, p + 1);
    }
    m_pos = p < size ? p + 1 : size;
    ++m_line;
    return Entry::kSeries;
}

}  // namespace vigil::scrape

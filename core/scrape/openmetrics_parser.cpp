#include "core/scrape/openmetrics_parser.h"

#include <array>
#include <bit>
#include <cmath>
#include <span>

#include "core/scrape/exposition_scan.h"

namespace vigil::scrape {

using namespace scan;

namespace {

// 2^63: milliseconds in [-2^63, 2^63) convert to int64 without overflow.
constexpr double kTimestampLimit = 9223372036854775808.0;

std::span<const std::string_view> allowedSuffixes(MetricType type) {
    static constexpr std::array<std::string_view, 2> kCounter = {"_total", "_created"};
    static constexpr std::array<std::string_view, 4> kHistogram = {"_bucket", "_count", "_sum",
                                                                   "_created"};
    static constexpr std::array<std::string_view, 3> kGaugeHistogram = {"_bucket", "_gcount",
                                                                        "_gsum"};
    static constexpr std::array<std::string_view, 4> kSummary = {"", "_count", "_sum", "_created"};
    static constexpr std::array<std::string_view, 1> kInfo = {"_info"};
    static constexpr std::array<std::string_view, 1> kPlain = {""};
    switch (type) {
        case MetricType::kCounter:
            return kCounter;
        case MetricType::kHistogram:
            return kHistogram;
        case MetricType::kGaugeHistogram:
            return kGaugeHistogram;
        case MetricType::kSummary:
            return kSummary;
        case MetricType::kInfo:
            return kInfo;
        default:
            return kPlain;
    }
}

bool isReservedSuffix(std::string_view suffix) {
    static constexpr std::array<std::string_view, 9> kReserved = {
        "", "_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"};
    for (std::string_view s : kReserved) {
        if (suffix == s)
            return true;
    }
    return false;
}

// " # {" at p: an exemplar follows.
bool startsExemplar(const char* in, std::size_t p, std::size_t size) {
    return p + 3 < size && in[p] == ' ' && in[p + 1] == '#' && in[p + 2] == ' ' && in[p + 3] == '{';
}

std::size_t utf8Length(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
            ++n;
    }
    return n;
}

}  // namespace

OpenMetricsParser::OpenMetricsParser(std::string_view input, Options options)
    : ExpositionParser(input), m_options(options) {
    m_labels.reserve(16);
}

Entry OpenMetricsParser::next() {
    if (m_failed)
        return Entry::kInvalid;
    const std::size_t size = m_in.size();
    const char* in = m_in.data();
    if (m_pos >= size && m_done)
        return Entry::kEnd;
    beginEntry();
    const std::size_t p = m_pos;
    if (p >= size)
        return fail(p, "data does not end with # EOF");
    const char c = in[p];
    if (isNameStart(c))
        return parseSeries();
    if (c == '#' && p + 1 < size && in[p + 1] == ' ') {
        std::string_view rest = m_in.substr(p + 2);
        if (rest.starts_with("HELP ") || rest.starts_with("TYPE ") || rest.starts_with("UNIT "))
            return parseMetadata();
        if (rest.starts_with("EOF")) {
            std::size_t q = p + 5;
            if (q < size && in[q] == '\n')
                ++q;
            if (q != size)
                return fail(q, "unexpected data after # EOF");
            m_pos = size;
            m_done = true;
            return Entry::kEnd;
        }
        return failStartToken(p + 2);
    }
    return failStartToken(c == '#' ? p + 1 : p);
}

Entry OpenMetricsParser::failStartToken(std::size_t curPos) {
    // Prometheus 2.42's wording: the token kind and the character it stopped at.
    const std::string_view cur = curPos < m_in.size() ? m_in.substr(curPos, 1) : std::string_view();
    return fail(curPos, "\"INVALID\" " + goQuote(cur) + " is not a valid start token");
}

Entry OpenMetricsParser::parseMetadata() {
    const std::size_t size = m_in.size();
    const char* in = m_in.data();
    const std::string_view keyword = m_in.substr(m_pos + 2, 4);
    const Entry kind =
        keyword == "HELP" ? Entry::kHelp : (keyword == "TYPE" ? Entry::kType : Entry::kUnit);
    std::size_t p = m_pos + 7;
    if (p >= size || !isNameStart(in[p]))
        return failExpected("expected metric name after " + std::string(keyword), p, p + 1);
    const std::size_t nameBegin = p;
    while (p < size && isNameChar(in[p]))
        ++p;
    m_metricName = m_in.substr(nameBegin, p - nameBegin);
    if (p >= size || in[p] != ' ')
        return fail(p, "expected text in " + std::string(keyword));
    const std::size_t textBegin = p + 1;
    std::size_t eol = textBegin;
    eol = findNewline(in, eol, size);
    if (eol >= size)
        return fail(eol, "expected text in " + std::string(keyword));
    const std::string_view text = m_in.substr(textBegin, eol - textBegin);
    switch (kind) {
        case Entry::kType:
            if (text == "counter")
                m_type = MetricType::kCounter;
            else if (text == "gauge")
                m_type = MetricType::kGauge;
            else if (text == "histogram")
                m_type = MetricType::kHistogram;
            else if (text == "gaugehistogram")
                m_type = MetricType::kGaugeHistogram;
            else if (text == "summary")
                m_type = MetricType::kSummary;
            else if (text == "info")
                m_type = MetricType::kInfo;
            else if (text == "stateset")
                m_type = MetricType::kStateset;
            else if (text == "unknown")
                m_type = MetricType::kUnknown;
            else
                return fail(textBegin, "invalid metric type " + goQuote(text));
            m_text = text;
            break;
        case Entry::kHelp:
            if (!isValidUtf8(text))
                return fail(textBegin,
                            "help text " + goQuote(text) + " is not a valid utf8 string");
            if (text.find('\\') != std::string_view::npos) {
                unescapeLabelValue(text, m_textScratch);
                m_text = m_textScratch;
            } else {
                m_text = text;
            }
            break;
        default: {
            const std::string_view name = m_metricName;
            if (!text.empty() && (name.size() < text.size() + 1 || !name.ends_with(text) ||
                                  name[name.size() - text.size() - 1] != '_'))
                return fail(textBegin, "unit not a suffix of metric " + goQuote(name) +
                                           " while parsing: " +
                                           quoteForError(m_in.substr(m_pos, eol - m_pos), false));
            m_text = text;
            break;
        }
    }
    if (m_options.validateFamilies && !checkMetadataFamily(kind, nameBegin))
        return Entry::kInvalid;
    m_pos = eol + 1;
    ++m_line;
    return kind;
}

bool OpenMetricsParser::parseLabels(std::vector<LabelSpan>& out) {
    const std::size_t size = m_in.size();
    const char* in = m_in.data();
    std::size_t p = m_pos;
    if (p < size && in[p] == '}') {
        m_pos = p + 1;
        return true;
    }
    bool first = true;
    for (;;) {
        if (p >= size || !isLabelNameStart(in[p])) {
            // Prometheus 2.42's wording ("left brace" is theirs).
            failExpected(first ? "expected label name or left brace" : "expected label name", p,
                         p + 1);
            return false;
        }
        first = false;
        LabelSpan span;
        span.nameBegin = p;
        ++p;
        while (p < size && isLabelNameChar(in[p]))
            ++p;
        span.nameLen = p - span.nameBegin;
        if (p >= size || in[p] != '=') {
            failExpected("expected equal", p, p + 1);
            return false;
        }
        ++p;
        if (p >= size || in[p] != '"') {
            failExpected("expected label value", p, p + 1);
            return false;
        }
        const std::size_t quote = p;
        ++p;
        span.valueBegin = p;
        bool escaped = false;
        bool high = false;
        for (;;) {
            p = findQuoteOrSpecial(in, p, size);
            if (p >= size) {
                failExpected("expected label value", quote, size);
                return false;
            }
            const char c = in[p];
            if (c == '"')
                break;
            if (c == '\\') {
                if (p + 1 >= size || in[p + 1] == '\n') {
                    failExpected("expected label value", quote, p + 2);
                    return false;
                }
                escaped = true;
                p += 2;
                continue;
            }
            if (c == '\n') {
                failExpected("expected label value", quote, p + 1);
                return false;
            }
            high = true;
            ++p;
        }
        span.valueLen = p - span.valueBegin;
        span.escaped = escaped;
        if (high && !isValidUtf8(m_in.substr(span.valueBegin, span.valueLen))) {
            fail(quote, "invalid UTF-8 label value while parsing: " +
                            quoteForError(m_in.substr(m_entryStart, p + 1 - m_entryStart), true));
            return false;
        }
        out.push_back(span);
        ++p;
        if (p < size && in[p] == ',') {
            ++p;
            // A trailing comma: newer Prometheus accepts it, 2.42 does not.
            if (p < size && in[p] == '}') {
                m_pos = p + 1;
                return true;
            }
            continue;
        }
        if (p < size && in[p] == '}') {
            m_pos = p + 1;
            return true;
        }
        failExpected(
            p < size && isLabelNameStart(in[p]) ? "expected comma" : "expected comma or left brace",
            p, p + 1);
        return false;
    }
}

Entry OpenMetricsParser::parseSeries() {
    const std::size_t size = m_in.size();
    const char* in = m_in.data();
    const std::size_t nameBegin = m_pos;
    std::size_t p = nameBegin + 1;
    while (p < size && isNameChar(in[p]))
        ++p;
    m_metricName = m_in.substr(nameBegin, p - nameBegin);
    m_series = m_metricName;
    if (p < size && in[p] == '{') {
        m_pos = p + 1;
        if (!parseLabels(m_labels))
            return Entry::kInvalid;
        p = m_pos;
        m_series = m_in.substr(nameBegin, p - nameBegin);
        if (m_labels.size() > 1 && !checkUniqueLabelNames())
            return Entry::kInvalid;
    }
    if (p >= size || in[p] != ' ')
        return failExpected("expected value after metric", p, p + 1);
    ++p;
    const std::size_t valueBegin = p;
    while (p < size && in[p] != ' ' && in[p] != '\n')
        ++p;
    if (p == valueBegin)
        return failExpected("expected value after metric", p - 1, p + 1);
    std::string error;
    if (!parseGoFloat(m_in.substr(valueBegin, p - valueBegin), m_value, error))
        return fail(valueBegin, error + " while parsing: " +
                                    quoteForError(m_in.substr(nameBegin, p - nameBegin), true));
    if (std::isnan(m_value))
        m_value = std::bit_cast<double>(kNormalNaNBits);

    if (p >= size)
        return fail(p, "data does not end with # EOF");
    if (in[p] == '\n')
        return finishLine(p);
    // in[p] == ' ': an exemplar or a timestamp.
    if (startsExemplar(in, p, size)) {
        m_pos = p + 4;
        if (!parseExemplar())
            return Entry::kInvalid;
        return finishLine(m_pos);
    }
    ++p;
    const std::size_t tsBegin = p;
    while (p < size && in[p] != ' ' && in[p] != '\n')
        ++p;
    if (p == tsBegin)
        return failExpected("expected timestamp or # symbol", tsBegin - 1, p + 1);
    double seconds = 0;
    if (!parseGoFloat(m_in.substr(tsBegin, p - tsBegin), seconds, error))
        return fail(tsBegin, error + " while parsing: " +
                                 quoteForError(m_in.substr(nameBegin, p - nameBegin), true));
    if (!std::isfinite(seconds))
        return fail(tsBegin, "invalid timestamp while parsing: " +
                                 quoteForError(m_in.substr(nameBegin, p - nameBegin), true));
    const double ms = seconds * 1000;
    if (!(ms < kTimestampLimit && ms >= -kTimestampLimit))
        return fail(tsBegin, "timestamp " + std::string(m_in.substr(tsBegin, p - tsBegin)) +
                                 " is out of range");
    m_timestamp = static_cast<model::Timestamp>(ms);
    m_hasTimestamp = true;
    if (p >= size)
        return fail(p, "data does not end with # EOF");
    if (in[p] == '\n')
        return finishLine(p);
    if (startsExemplar(in, p, size)) {
        m_pos = p + 4;
        if (!parseExemplar())
            return Entry::kInvalid;
        return finishLine(m_pos);
    }
    std::size_t end = p + 1;
    while (end < size && in[end] != ' ' && in[end] != '\n')
        ++end;
    return failExpected("expected next entry after timestamp", p, end + 1);
}

bool OpenMetricsParser::parseExemplar() {
    const std::size_t size = m_in.size();
    const char* in = m_in.data();
    // Prometheus accepts exemplars only on names ending in _total or _bucket,
    // whatever the family type says.
    if (!m_metricName.ends_with("_total") && !m_metricName.ends_with("_bucket")) {
        fail(m_pos - 3, "metric name " + std::string(m_metricName) + " does not support exemplars");
        return false;
    }
    if (!parseLabels(m_exemplarLabels))
        return false;
    std::size_t p = m_pos;
    if (p >= size || in[p] != ' ') {
        failExpected("expected value after exemplar labels", p, p + 1);
        return false;
    }
    ++p;
    const std::size_t valueBegin = p;
    while (p < size && in[p] != ' ' && in[p] != '\n')
        ++p;
    std::string error;
    if (p == valueBegin) {
        failExpected("expected value after exemplar labels", p - 1, p + 1);
        return false;
    }
    if (!parseGoFloat(m_in.substr(valueBegin, p - valueBegin), m_exemplarValue, error)) {
        fail(valueBegin, error + " while parsing: " +
                             quoteForError(m_in.substr(m_entryStart, p - m_entryStart), true));
        return false;
    }
    m_exemplarTimestamp.reset();
    if (p < size && in[p] == ' ') {
        ++p;
        const std::size_t tsBegin = p;
        while (p < size && in[p] != ' ' && in[p] != '\n')
            ++p;
        double seconds = 0;
        if (!parseGoFloat(m_in.substr(tsBegin, p - tsBegin), seconds, error)) {
            fail(tsBegin, error + " while parsing: " +
                              quoteForError(m_in.substr(m_entryStart, p - m_entryStart), true));
            return false;
        }
        if (!std::isfinite(seconds)) {
            fail(tsBegin, "invalid exemplar timestamp while parsing: " +
                              quoteForError(m_in.substr(m_entryStart, p - m_entryStart), true));
            return false;
        }
        const double ms = seconds * 1000;
        if (!(ms < kTimestampLimit && ms >= -kTimestampLimit)) {
            fail(tsBegin, "exemplar timestamp " + std::string(m_in.substr(tsBegin, p - tsBegin)) +
                              " is out of range");
            return false;
        }
        m_exemplarTimestamp = static_cast<model::Timestamp>(ms);
        if (p < size && in[p] != '\n') {
            failExpected("expected next entry after exemplar timestamp", p, p + 1);
            return false;
        }
    }
    m_hasExemplar = true;
    m_pos = p;
    return true;
}

Entry OpenMetricsParser::finishLine(std::size_t p) {
    if (p >= m_in.size())
        return fail(p, "data does not end with # EOF");
    if (m_options.validateFamilies && !checkSampleFamily())
        return Entry::kInvalid;
    m_pos = p + 1;
    ++m_line;
    return Entry::kSeries;
}

bool OpenMetricsParser::startFamily(std::string_view name, std::size_t pos) {
    if (!m_family.empty())
        m_closedFamilies.insert(m_family);
    if (m_closedFamilies.contains(std::string(name))) {
        fail(pos, "metric family " + goQuote(name) +
                      " appears again after other families (OpenMetrics families must not be "
                      "interleaved)");
        return false;
    }
    m_family.assign(name);
    m_familyType = MetricType::kUnknown;
    m_familyMetadataSeen = 0;
    m_familyHasSamples = false;
    return true;
}

bool OpenMetricsParser::checkMetadataFamily(Entry kind, std::size_t namePos) {
    const std::string_view name = m_metricName;
    if (name != m_family) {
        if (!startFamily(name, namePos))
            return false;
    } else if (m_familyHasSamples) {
        fail(namePos, "metadata for metric family " + goQuote(name) + " after its samples");
        return false;
    }
    const unsigned bit = 1U << static_cast<unsigned>(kind);
    if (m_familyMetadataSeen & bit) {
        const char* what = kind == Entry::kHelp ? "HELP" : (kind == Entry::kType ? "TYPE" : "UNIT");
        fail(namePos, std::string("second ") + what + " line for metric family " + goQuote(name));
        return false;
    }
    m_familyMetadataSeen |= bit;
    if (kind == Entry::kType)
        m_familyType = m_type;
    return true;
}

bool OpenMetricsParser::checkSampleFamily() {
    const std::string_view name = m_metricName;
    std::string_view suffix;
    bool inFamily = false;
    if (!m_family.empty() && name.starts_with(m_family)) {
        suffix = name.substr(m_family.size());
        for (std::string_view allowed : allowedSuffixes(m_familyType)) {
            if (suffix == allowed) {
                inFamily = true;
                break;
            }
        }
        if (!inFamily && m_familyType != MetricType::kUnknown && isReservedSuffix(suffix)) {
            std::string list;
            for (std::string_view allowed : allowedSuffixes(m_familyType)) {
                if (!list.empty())
                    list += ", ";
                list += allowed.empty() ? "(none)" : std::string(allowed);
            }
            fail(m_entryStart, "sample " + goQuote(name) + " does not fit metric family " +
                                   goQuote(m_family) + " of type " +
                                   std::string(metricTypeName(m_familyType)) +
                                   " (allowed suffixes: " + list + ")");
            return false;
        }
    }
    if (!inFamily) {
        if (!startFamily(name, m_entryStart))
            return false;
        suffix = {};
    }
    m_familyHasSamples = true;

    auto hasLabel = [&](std::string_view labelName, std::string_view* value) {
        for (const LabelSpan& span : m_labels) {
            if (m_in.substr(span.nameBegin, span.nameLen) == labelName) {
                if (value)
                    *value = m_in.substr(span.valueBegin, span.valueLen);
                return true;
            }
        }
        return false;
    };
    auto reject = [&](const std::string& why) {
        fail(m_entryStart, why + " while parsing: " + quoteForError(m_series, true));
        return false;
    };
    switch (m_familyType) {
        case MetricType::kCounter:
            if (suffix == "_total" && (std::isnan(m_value) || m_value < 0))
                return reject("counter total must not be negative or NaN");
            break;
        case MetricType::kHistogram:
        case MetricType::kGaugeHistogram:
            if (suffix == "_bucket" && !hasLabel("le", nullptr))
                return reject("histogram bucket without an \"le\" label");
            break;
        case MetricType::kSummary:
            if (suffix.empty() && !hasLabel("quantile", nullptr))
                return reject("summary quantile sample without a \"quantile\" label");
            break;
        case MetricType::kStateset:
            if (!hasLabel(m_family, nullptr))
                return reject("stateset sample without a label named after its family " +
                              goQuote(m_family));
            if (m_value != 0 && m_value != 1)
                return reject("stateset value must be 0 or 1");
            break;
        case MetricType::kInfo:
            if (m_value != 1)
                return reject("info value must be 1");
            break;
        default:
            break;
    }
    if (m_hasExemplar) {
        const bool allowed = (m_familyType == MetricType::kCounter && suffix == "_total") ||
                             ((m_familyType == MetricType::kHistogram ||
                               m_familyType == MetricType::kGaugeHistogram) &&
                              suffix == "_bucket");
        if (!allowed)
            return reject(
                "exemplars are only allowed on counter _total and histogram _bucket "
                "samples");
        std::size_t length = 0;
        for (const LabelSpan& span : m_exemplarLabels)
            length += utf8Length(m_in.substr(span.nameBegin, span.nameLen)) +
                      utf8Length(labelValue(span));
        if (length > 128)
            return reject("exemplar labels are " + std::to_string(length) +
                          " characters long, more than the 128 allowed");
    }
    return true;
}

}  // namespace vigil::scrape

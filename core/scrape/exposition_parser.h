#pragma once

// The pull-parser interface shared by the exposition format parsers, modelled
// on Prometheus's textparse.Parser: the caller asks for one entry at a time
// (a sample line, a HELP/TYPE/UNIT line, a comment) and reads the parts it
// needs. Nothing is allocated per sample: the series bytes, the metric name
// and the label names are views into the caller's buffer, and escaped label
// values are unescaped into a scratch buffer the parser owns.
//
// Errors are sticky: after next() returned Entry::kInvalid, status() explains
// why as "line N: <what> ...", with Prometheus's wording where practical
// ("expected label value, got \"'\" while parsing: \"a{b='\"").
//
// Thread-safety: a parser is used by one thread at a time. The input buffer
// must outlive the parser and stay unchanged while it is used.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/labels.h"
#include "core/model/sample.h"
#include "core/util/go_quote.h"  // goQuote, Go's %q
#include "core/util/status.h"

namespace vigil::scrape {

// What next() found. kEnd is the clean end of the input (for OpenMetrics, the
// `# EOF` line); kInvalid means status() holds the error.
enum class Entry { kInvalid, kSeries, kType, kHelp, kUnit, kComment, kEnd };

// Metric family types of both formats. `untyped` (0.0.4) is kUnknown.
enum class MetricType {
    kUnknown,
    kCounter,
    kGauge,
    kHistogram,
    kGaugeHistogram,
    kSummary,
    kInfo,
    kStateset
};

// The name Prometheus gives a type in metadata ("counter", "gaugehistogram", ...).
std::string_view metricTypeName(MetricType type);

// Prometheus's value.NormalNaN: every NaN sample value is stored with this bit
// pattern so that it is never mistaken for the staleness marker.
inline constexpr std::uint64_t kNormalNaNBits = 0x7ff8000000000001ULL;

// An exemplar attached to an OpenMetrics sample. Vigil does not store
// exemplars; the parser validates them and callers drop them.
struct Exemplar {
    model::Labels labels;
    double value = 0;
    std::optional<model::Timestamp> timestamp;
};

class ExpositionParser {
public:
    virtual ~ExpositionParser() = default;
    ExpositionParser(const ExpositionParser&) = delete;
    ExpositionParser& operator=(const ExpositionParser&) = delete;

    // Advances to the next entry. Returns kEnd at the end of valid input and
    // kInvalid (forever after) on the first error.
    virtual Entry next() = 0;

    // The error after next() returned kInvalid; ok otherwise.
    const Status& status() const { return m_status; }

    // 1-based line of the current entry (of the error after kInvalid).
    std::size_t line() const { return m_entryLine; }

    // --- After kSeries. Views stay valid until the next call to next(). ---

    // The raw series bytes as written: `name{label="value",...}` (no value).
    std::string_view series() const { return m_series; }
    // The metric name (never escaped in either format).
    std::string_view metricName() const { return m_metricName; }
    double value() const { return m_value; }
    // The sample timestamp in milliseconds, when the line has one. OpenMetrics
    // float seconds are converted as Prometheus does: int64(seconds * 1000).
    std::optional<model::Timestamp> timestamp() const {
        return m_hasTimestamp ? std::optional<model::Timestamp>(m_timestamp) : std::nullopt;
    }

    // Calls fn(name, value) for `__name__` and then each label in input order,
    // with label values unescaped. Allocation-free once the scratch buffer has
    // grown; the views are valid only during the call. Empty values are passed
    // on (an empty value means "absent" to Labels).
    template <typename Fn>
    void forEachLabel(Fn&& fn) const;

    // Sets `__name__` and every label of the current series on `builder`.
    void labels(model::LabelsBuilder& builder) const;
    // The current series' label set (allocates; convenience for tests/tools).
    model::Labels labels() const;

    // Fills `out` with the exemplar of the current sample and returns true if
    // the sample has one (OpenMetrics only).
    bool exemplar(Exemplar& out) const;

    // --- After kType / kHelp / kUnit. ---
    // The metric family name the metadata line is about.
    std::string_view metadataName() const { return m_metricName; }
    MetricType type() const { return m_type; }
    // HELP text with escapes resolved; valid until the next call to next().
    std::string_view help() const { return m_text; }
    std::string_view unit() const { return m_text; }

    // --- After kComment: the whole comment line, starting with '#'. ---
    std::string_view comment() const { return m_text; }

protected:
    // A label's name and value as offsets into the input. `escaped` says the
    // value holds a backslash and must be unescaped before use.
    struct LabelSpan {
        std::size_t nameBegin;  // absolute: inputs may exceed 4 GiB (backfill files)
        std::size_t nameLen;
        std::size_t valueBegin;
        std::size_t valueLen;
        bool escaped;
    };

    explicit ExpositionParser(std::string_view input) : m_in(input) {}

    // Resets the per-entry state at the start of an entry at m_pos.
    void beginEntry() {
        m_entryStart = m_pos;
        m_entryLine = m_line;
        m_labels.clear();
        m_exemplarLabels.clear();
        m_hasExemplar = false;
        m_hasTimestamp = false;
    }

    // Records an error: "line N: <message>" where N is the line holding
    // input[errorPos]. Returns kInvalid for `return fail(...)`.
    Entry fail(std::size_t errorPos, std::string_view message);
    // Prometheus's parseError: "<expected>, got "<token>" while parsing: "<entry so far>"".
    Entry failExpected(std::string_view expected, std::size_t tokenBegin, std::size_t tokenEnd);

    // goQuote of `bytes`, cut to a bounded excerpt (its end when keepTail).
    static std::string quoteForError(std::string_view bytes, bool keepTail);

    // Unescapes `\\`, `\"` and `\n` (others are kept as written, like Go's
    // strings.Replacer) into `out`.
    static void unescapeLabelValue(std::string_view raw, std::string& out);
    std::string_view labelValue(const LabelSpan& span) const;

    // Checks that two labels of the current series do not share a name.
    // Returns false after recording the error.
    bool checkUniqueLabelNames();

    std::string_view m_in;
    std::size_t m_pos = 0;
    std::size_t m_line = 1;
    std::size_t m_entryStart = 0;
    std::size_t m_entryLine = 1;
    Status m_status;
    bool m_failed = false;

    std::string_view m_series;
    std::string_view m_metricName;
    double m_value = 0;
    model::Timestamp m_timestamp = 0;
    bool m_hasTimestamp = false;
    std::vector<LabelSpan> m_labels;

    MetricType m_type = MetricType::kUnknown;
    std::string_view m_text;
    std::string m_textScratch;

    bool m_hasExemplar = false;
    std::vector<LabelSpan> m_exemplarLabels;
    double m_exemplarValue = 0;
    std::optional<model::Timestamp> m_exemplarTimestamp;

    mutable std::string m_valueScratch;
};

template <typename Fn>
void ExpositionParser::forEachLabel(Fn&& fn) const {
    fn(model::kMetricName, m_metricName);
    for (const LabelSpan& span : m_labels)
        fn(m_in.substr(span.nameBegin, span.nameLen), labelValue(span));
}

// Number syntax shared by both formats. Go's strconv.ParseFloat as Prometheus
// calls it: decimal floats with optional sign and exponent, and case-insensitive
// "inf", "infinity" (optionally signed) and "nan"; hexadecimal floats and
// underscores are rejected like Prometheus does ("unsupported character in
// float"). On error `error` gets Go's message without the trailing context.
bool parseGoFloat(std::string_view text, double& out, std::string& error);
// Go's strconv.ParseInt(text, 10, 64).
bool parseGoInt64(std::string_view text, std::int64_t& out, std::string& error);
// True if `bytes` is valid UTF-8.
bool isValidUtf8(std::string_view bytes);

}  // namespace vigil::scrape

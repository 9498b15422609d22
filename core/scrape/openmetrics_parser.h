#pragma once

// Parser for OpenMetrics 1.0 text, accepting what Prometheus 2.42's
// openmetricsparse accepts:
//
//   exposition := (metadata | sample)* "# EOF" ["\n"]        (nothing after it)
//   metadata   := "# " ("HELP"|"TYPE"|"UNIT") " " name " " text "\n"
//   sample     := name ["{" [label ("," label)* [","]] "}"] " " value
//                 [" " timestamp] [" # {" [label ("," label)*] "} " value [" " timestamp]] "\n"
//   label      := lname "=" "\"" lvalue "\""
//
// Exactly one space separates the parts; no blank lines, no other comments,
// no spaces inside the braces. Values and timestamps use Go's float syntax;
// timestamps are seconds and become int64(seconds * 1000) milliseconds, as in
// Prometheus (so 1.001 becomes 1000: the float product is truncated). TYPE is
// one of counter, gauge, histogram, gaugehistogram, summary, info, stateset,
// unknown. A UNIT must be a suffix of the family name after '_'. HELP text and
// label values escape `\\`, `\"` and `\n`. Exemplars are parsed and validated
// (as in Prometheus, only names ending in _total or _bucket may carry one);
// exemplar() returns them.
//
// Options::validateFamilies adds the OpenMetrics 1.0 family rules that
// Prometheus does not enforce when scraping: sample names must carry the
// suffixes their family type allows (counter: _total/_created; histogram:
// _bucket/_count/_sum/_created; gaugehistogram: _bucket/_gcount/_gsum;
// summary: ""/_count/_sum/_created; info: _info; gauge, stateset, unknown: ""),
// families are not interleaved and each is described once before its
// samples, histogram buckets carry `le`, stateset samples carry a label named
// after the family with value 0 or 1, info values are 1, counter totals are
// not negative or NaN, and exemplars sit only on counter _total and
// histogram/gaugehistogram _bucket samples with at most 128 characters of
// labels. It is off by default so that scraping accepts everything Prometheus
// accepts; an importer that wants the letter of the spec turns it on.

#include <string>
#include <string_view>
#include <unordered_set>

#include "core/scrape/exposition_parser.h"

namespace vigil::scrape {

class OpenMetricsParser final : public ExpositionParser {
public:
    struct Options {
        bool validateFamilies = false;
    };

    // REQUIRES: `input` outlives the parser.
    explicit OpenMetricsParser(std::string_view input) : OpenMetricsParser(input, Options{}) {}
    OpenMetricsParser(std::string_view input, Options options);

    Entry next() override;

private:
    Entry failStartToken(std::size_t curPos);
    Entry parseMetadata();
    Entry parseSeries();
    // Parses `name="value",...}` after '{' at m_pos into `out`; leaves m_pos
    // after '}'.
    bool parseLabels(std::vector<LabelSpan>& out);
    // Parses " value [ts]" of the exemplar after " # {".
    bool parseExemplar();
    Entry finishLine(std::size_t p);

    // Family rules (Options::validateFamilies).
    bool checkMetadataFamily(Entry kind, std::size_t namePos);
    bool checkSampleFamily();
    bool startFamily(std::string_view name, std::size_t pos);

    Options m_options;
    bool m_done = false;  // `# EOF` seen
    std::string m_family;
    MetricType m_familyType = MetricType::kUnknown;
    unsigned m_familyMetadataSeen = 0;  // bit per Entry kind
    bool m_familyHasSamples = false;
    std::unordered_set<std::string> m_closedFamilies;
};

}  // namespace vigil::scrape

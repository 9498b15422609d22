#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/logs/logql/ast.h"
#include "core/promql/ast.h"
#include "core/util/status.h"

// Prometheus rule files (rulefmt) as Prometheus 2.42 reads and validates them:
//
//   groups:
//     - name: host            # unique in the file
//       interval: 30s         # optional; the global evaluation_interval otherwise
//       limit: 0              # optional; alerts/series per rule, 0 = none
//       query_offset: 0s      # optional (newer Prometheus); evaluation delay
//       rules:
//         - record: job:up:sum          # a valid metric name
//           expr: sum by (job) (up)
//           labels: {team: infra}
//         - alert: InstanceDown
//           expr: up == 0
//           for: 5m
//           keep_firing_for: 10m
//           labels: {severity: page}
//           annotations: {summary: "{{ $labels.instance }} is down"}
//
// Every problem is reported, not only the first, in two spellings: as
// `promtool check rules` prints it (so `vigilctl check rules` matches
// promtool byte for byte) and as "file:line:col: ..." with PromQL errors
// positioned inside the file (expression's line plus the column within it),
// for the UI and the engine's log.
//
// Loki's ruler reads the same format with `expr` a LogQL metric query
// (`sum by (job) (rate({job="nginx"} |= "error" [5m])) > 10`): parsed with
// RuleLanguage::kLogQL, expressions are validated by the LogQL parser (errors
// positioned in the file the same way) and a log query (one that returns
// lines, not samples) is refused naming the rule.
namespace vigil::rules {

using Duration = std::chrono::milliseconds;

// The query language of a rule file's expressions.
enum class RuleLanguage { kPromQL, kLogQL };
const char* ruleLanguageName(RuleLanguage language);  // "promql", "logql"

struct RuleSpec {
    bool alerting = false;
    std::string name;  // record: or alert:
    std::string expr;
    // Exactly one is non-null once loaded: `parsed` in a PromQL rule file,
    // `logParsed` (a metric query) in a LogQL one.
    std::shared_ptr<const promql::Expr> parsed;
    std::shared_ptr<const logql::Expr> logParsed;
    Duration holdDuration{0};  // for:
    Duration keepFiringFor{0};
    std::vector<std::pair<std::string, std::string>> labels;  // sorted by name
    std::vector<std::pair<std::string, std::string>> annotations;
    int line = 0;  // 1-based position of the rule in its file
    int column = 0;
};

struct GroupSpec {
    std::string file;  // as given to the loader
    std::string name;
    RuleLanguage language = RuleLanguage::kPromQL;
    Duration interval{0};  // 0: the default evaluation interval
    std::int64_t limit = 0;
    Duration queryOffset{0};
    std::vector<RuleSpec> rules;
    int line = 0;
};

struct RuleFile {
    std::string path;
    RuleLanguage language = RuleLanguage::kPromQL;
    std::vector<GroupSpec> groups;
    std::size_t ruleCount() const;
};

// Why a file was refused. `promtool` holds promtool's lines (each already
// prefixed with "FILE: "), `positioned` the same problems as
// "FILE:LINE:COL: message" (LINE:COL omitted when Prometheus has no node).
struct RuleFileErrors {
    std::vector<std::string> promtool;
    std::vector<std::string> positioned;
    Status toStatus() const;  // every positioned error, one per line
};

// Parses and validates rule file text. On failure returns the positioned
// errors as one Status and, when `errors` is given, fills it.
// Thread-safe.
Result<RuleFile> parseRuleFile(std::string_view text, const std::string& fileName,
                               RuleFileErrors* errors = nullptr,
                               RuleLanguage language = RuleLanguage::kPromQL);
// Reads `path` and parses it; an unreadable file is an error naming it.
Result<RuleFile> loadRuleFile(const std::string& path, RuleFileErrors* errors = nullptr,
                              RuleLanguage language = RuleLanguage::kPromQL);

// Prometheus's model.IsValidMetricName / LabelName.IsValid (legacy charset).
bool isValidMetricName(std::string_view name);
bool isValidLabelName(std::string_view name);

// Expands rule_files globs (sorted matches per pattern, duplicates removed,
// patterns that match nothing skipped), as Prometheus's filepath.Glob.
std::vector<std::string> expandRuleFileGlobs(const std::vector<std::string>& patterns);

}  // namespace vigil::rules

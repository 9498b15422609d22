#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "core/model/labels.h"

// `promtool test rules` (Prometheus 2.42): unit tests for rule files, in
// promtool's file format and with its output and exit codes.
//
//   rule_files: [rules.yml]          # relative to the test file; globs
//   evaluation_interval: 1m
//   group_eval_order: [g1, g2]
//   tests:
//     - interval: 1m
//       name: optional
//       external_labels: {region: eu}
//       external_url: http://vigil:9595
//       input_series:
//         - series: 'up{job="a"}'
//           values: '1 1 0x5 _ stale 1+2x3'
//       alert_rule_test:
//         - eval_time: 5m
//           alertname: InstanceDown
//           exp_alerts:
//             - exp_labels: {job: a}
//               exp_annotations: {summary: "..."}
//       promql_expr_test:
//         - expr: up
//           eval_time: 1m
//           exp_samples:
//             - labels: 'up{job="a"}'
//               value: 1
namespace vigil::rules {

// Runs the tests of each file, printing as promtool does ("Unit Testing:
// FILE", "  SUCCESS" to `out`; "  FAILED:" and the failures to `err`).
// Returns 0 when every test passed, 1 otherwise.
int runRuleUnitTests(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

// Go's time.Duration.String() of a millisecond duration ("1m0s", "0s",
// "1.5s", "500ms").
std::string goDurationString(std::int64_t ms);
// Go's strconv.FormatFloat(v, 'E', -1, 64): "2E+00", "1.5E-07", "NaN", "+Inf".
std::string formatFloatE(double v);
// Prometheus's labels.Labels.String(): {__name__="up", job="a"}.
std::string promLabelsString(const model::Labels& labels);

}  // namespace vigil::rules

#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/util/status.h"

// Runs PromQL test scripts in Prometheus's `.test` DSL (promql/testdata and
// promqltest/testdata; see /work/shared/conformance/promql/FORMAT.md):
// `load` (with the `1+1x10`, `_`, `stale`, Inf/NaN expansions), `clear`,
// `eval instant|range`, eval_fail/eval_ordered/eval_warn/eval_info, and the
// newer `expect` lines, against a fresh model::InMemoryStorage. Like the
// reference runner, every passing instant eval is re-run as a range query
// (T-1m..T+1m, step 1m) and with `@ T` added to every selector, at other
// evaluation times; each re-check must give the same result.
//
// Deliberately unsupported features make an eval "skipped" with a reason,
// never passed: native histograms (`{{...}}` in load or expected output) and
// whatever the engine refuses as unsupported. `name@st` load lines give the
// start timestamps of a series' samples, relative to each sample.
//
// Thread-safety: each call is independent.

namespace vigil::promql {

struct TestScriptOptions {
    // Prometheus 3 semantics (left-open windows, UTF-8 label names), used by
    // upstream main's scripts. false: Prometheus 2.42.
    bool prometheus3 = false;
};

struct TestEvalOutcome {
    std::string file;
    int line = 0;
    std::string expr;
    std::string message;  // failure: expected against got; skip: the reason
};

struct TestScriptReport {
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    std::vector<TestEvalOutcome> failures;
    std::vector<TestEvalOutcome> skips;
};

// Runs one script and adds its evals to *report. Fails only when the file
// cannot be read; malformed commands are reported as failing evals.
Status runTestScript(const std::string& path, const TestScriptOptions& options,
                     TestScriptReport* report);

// Same, over the text of a script (`name` is used in messages).
void runTestScriptText(const std::string& name, const std::string& text,
                       const TestScriptOptions& options, TestScriptReport* report);

}  // namespace vigil::promql

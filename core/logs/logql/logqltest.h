#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/util/status.h"

namespace vigil::logql {

// Runs Loki's declarative LogQL evaluation tests (`.logqltest`, the DSL of
// docs LOGQL.md §9: clear / load / eval instant|range with expectations)
// against Vigil's engine over an in-memory log store.
struct LogqlTestFailure {
    std::string file;
    int line = 0;
    std::string query;
    std::string expected;
    std::string got;
};

struct LogqlTestSummary {
    std::size_t passed = 0;
    std::size_t failed = 0;
    std::size_t skipped = 0;
    std::vector<LogqlTestFailure> failures;
    std::vector<std::string> skipReasons;  // "file:line: reason"
};

// Runs every eval of `path`, adding to `summary`. Fails only when the file
// cannot be read or a command is malformed (with file:line in the message);
// a failing eval is recorded in the summary, not returned as an error.
Status runLogqlTestFile(const std::string& path, LogqlTestSummary& summary);

}  // namespace vigil::logql

// vigilctl logql check QUERY: parses and validates a LogQL query.

#include <cstdio>

#include "app/vigilctl/command.h"
#include "core/logs/logql/logqltest.h"
#include "core/logs/logql/parser.h"

namespace {

// Prints the canonical form and exits 0 for a valid query; prints Loki's
// "parse error at line L, col C: ..." with a caret under the position and
// exits 1 for an invalid one.
int checkQuery(const std::string& query) {
    vigil::logql::ParseError error;
    vigil::logql::ExprPtr expr = vigil::logql::parse(query, &error);
    if (!expr) {
        std::printf("invalid: %s\n", error.toString().c_str());
        if (query.find('\n') == std::string::npos)
            std::printf("  %s\n  %s^\n", query.c_str(), std::string(error.offset, ' ').c_str());
        return 1;
    }
    std::printf("valid %s query: %s\n", expr->isLogQuery() ? "log" : "metric",
                expr->toString().c_str());
    return 0;
}

// vigilctl logql test FILE...: runs Loki's .logqltest evaluation files.
int runTests(const std::vector<std::string>& files) {
    vigil::logql::LogqlTestSummary summary;
    for (const std::string& file : files) {
        vigil::Status s = vigil::logql::runLogqlTestFile(file, summary);
        if (!s.isOk()) {
            std::fprintf(stderr, "vigilctl logql test: %s\n", s.message().c_str());
            return 1;
        }
    }
    for (const auto& f : summary.failures)
        std::printf("%s:%d: FAIL %s\n  expected: %s\n  got:      %s\n", f.file.c_str(), f.line,
                    f.query.c_str(), f.expected.c_str(), f.got.c_str());
    for (const auto& reason : summary.skipReasons)
        std::printf("skipped: %s\n", reason.c_str());
    std::printf("%zu passed, %zu failed, %zu skipped\n", summary.passed, summary.failed,
                summary.skipped);
    return summary.failed == 0 ? 0 : 1;
}

}  // namespace

VIGILCTL_COMMAND({{"logql", "check"},
                  "QUERY",
                  "Check a LogQL query; print its canonical form, or the error with its position.",
                  [](const std::vector<std::string>& args) -> int {
                      if (args.size() != 1) {
                          std::fprintf(stderr,
                                       "vigilctl logql check: exactly one QUERY is required\n");
                          return 2;
                      }
                      return checkQuery(args[0]);
                  }});

VIGILCTL_COMMAND(
    {{"logql", "test"},
     "FILE...",
     "Run .logqltest evaluation files; print each failing eval and N passed, N failed.",
     [](const std::vector<std::string>& args) -> int {
         if (args.empty()) {
             std::fprintf(stderr, "vigilctl logql test: at least one FILE is required\n");
             return 2;
         }
         return runTests(args);
     }});

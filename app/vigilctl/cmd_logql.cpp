// vigilctl logql check QUERY: parses and validates a LogQL query.

#include <cstdio>

#include "app/vigilctl/command.h"
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

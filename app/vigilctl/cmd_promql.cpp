// vigilctl promql test FILE...: runs PromQL test scripts (Prometheus's
// `.test` DSL) against Vigil's engine.

#include <cstdio>

#include "app/vigilctl/command.h"
#include "core/promql/test_script.h"

namespace {

const vigil::ctl::Command* g_self = nullptr;

int runPromqlTest(const std::vector<std::string>& args) {
    const auto parsed = vigil::ctl::parseArgs(args, {"--semantics"});
    if (!parsed.error.empty())
        return vigil::ctl::usageError(*g_self, parsed.error);
    if (parsed.positional.empty())
        return vigil::ctl::usageError(*g_self, "at least one FILE is required");
    const std::string semantics = parsed.value("--semantics", "2.42");
    vigil::promql::TestScriptOptions options;
    if (semantics == "3") {
        options.prometheus3 = true;
    } else if (semantics != "2.42") {
        return vigil::ctl::usageError(*g_self,
                                      "--semantics must be 2.42 or 3, not \"" + semantics + "\"");
    }
    vigil::promql::TestScriptReport report;
    int exitCode = 0;
    for (const auto& file : parsed.positional) {
        const auto st = vigil::promql::runTestScript(file, options, &report);
        if (!st.isOk()) {
            std::fprintf(stderr, "vigilctl promql test: %s\n", st.message().c_str());
            exitCode = 1;
        }
    }
    for (const auto& f : report.failures)
        std::printf("%s:%d: FAILED %s\n    %s\n", f.file.c_str(), f.line, f.expr.c_str(),
                    f.message.c_str());
    for (const auto& s : report.skips)
        std::printf("%s:%d: SKIPPED %s\n    reason: %s\n", s.file.c_str(), s.line, s.expr.c_str(),
                    s.message.c_str());
    if (report.skipped > 0) {
        std::printf("%d passed, %d failed, %d skipped\n", report.passed, report.failed,
                    report.skipped);
    } else {
        std::printf("%d passed, %d failed\n", report.passed, report.failed);
    }
    return (exitCode != 0 || report.failed > 0) ? 1 : 0;
}

}  // namespace

VIGILCTL_COMMAND({{"promql", "test"},
                  "[--semantics 2.42|3] FILE...",
                  "Run PromQL test scripts (Prometheus's .test DSL); print each failing eval.",
                  [](const std::vector<std::string>& args) -> int {
                      for (const auto& c : vigil::ctl::commandRegistry())
                          if (c.path == std::vector<std::string>{"promql", "test"})
                              g_self = &c;
                      return runPromqlTest(args);
                  }});

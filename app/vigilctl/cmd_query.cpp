// vigilctl query / query-range: run a PromQL query against a data directory
// and print the result as Prometheus's HTTP API would return it.

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "app/vigilctl/command.h"
#include "core/promql/engine.h"
#include "core/promql/parser.h"
#include "core/promql/result_json.h"
#include "core/promql/select_range.h"
#include "core/promql/storage_factory.h"
#include "core/util/human_units.h"

namespace {

using vigil::promql::renderErrorJson;

// Prometheus API times: Unix seconds (fractions allowed) or RFC 3339
// (2023-11-14T22:13:20Z, 2023-11-14T22:13:20.5+01:00).
std::optional<std::int64_t> parseApiTime(const std::string& s) {
    char* end = nullptr;
    const double secs = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(secs))
        return static_cast<std::int64_t>(std::llround(secs * 1000));
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &consumed) !=
        6)
        return {};
    std::size_t i = static_cast<std::size_t>(consumed);
    std::int64_t ms = 0;
    if (i < s.size() && s[i] == '.') {
        int digits = 0;
        ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (digits < 3)
                ms = ms * 10 + (s[i] - '0');
            ++digits;
            ++i;
        }
        if (digits == 0)
            return {};
        for (int k = digits; k < 3; ++k)
            ms *= 10;
    }
    std::int64_t offsetSec = 0;
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
        ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        int oh = 0, om = 0;
        if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2)
            return {};
        offsetSec = (s[i] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        i += 6;
    } else {
        return {};
    }
    if (i != s.size())
        return {};
    const auto days =
        std::chrono::sys_days(std::chrono::year(y) / mo / d).time_since_epoch().count();
    return (static_cast<std::int64_t>(days) * 86400 + h * 3600 + mi * 60 + se - offsetSec) * 1000 +
           ms;
}

std::optional<std::int64_t> parseStep(const std::string& s) {
    if (auto d = vigil::parseDuration(s))
        return d->count();
    char* end = nullptr;
    const double secs = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(secs))
        return static_cast<std::int64_t>(std::llround(secs * 1000));
    return {};
}

int badData(const std::string& message) {
    std::printf("%s\n", renderErrorJson("bad_data", message).c_str());
    return 1;
}

int runQuery(const vigil::ctl::Command& self, const std::vector<std::string>& args, bool range) {
    const auto parsed =
        vigil::ctl::parseArgs(args, {"--data-dir", "--time", "--start", "--end", "--step"});
    if (!parsed.error.empty())
        return vigil::ctl::usageError(self, parsed.error);
    if (parsed.positional.size() != 1)
        return vigil::ctl::usageError(self, "exactly one EXPR is required");
    if (!parsed.has("--data-dir"))
        return vigil::ctl::usageError(self, "--data-dir is required");
    const std::string& query = parsed.positional[0];
    std::int64_t start = 0, end = 0, step = 0;
    if (range) {
        if (!parsed.has("--start") || !parsed.has("--end") || !parsed.has("--step"))
            return vigil::ctl::usageError(self, "--start, --end and --step are required");
        auto s = parseApiTime(parsed.value("--start"));
        if (!s)
            return badData("invalid parameter \"start\": cannot parse \"" +
                           parsed.value("--start") + "\" to a valid timestamp");
        auto e = parseApiTime(parsed.value("--end"));
        if (!e)
            return badData("invalid parameter \"end\": cannot parse \"" + parsed.value("--end") +
                           "\" to a valid timestamp");
        auto st = parseStep(parsed.value("--step"));
        if (!st)
            return badData("invalid parameter \"step\": cannot parse \"" + parsed.value("--step") +
                           "\" to a valid duration");
        start = *s;
        end = *e;
        step = *st;
    } else if (parsed.has("--time")) {
        auto t = parseApiTime(parsed.value("--time"));
        if (!t)
            return badData("invalid parameter \"time\": cannot parse \"" + parsed.value("--time") +
                           "\" to a valid timestamp");
        start = end = *t;
    } else {
        start = end = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    }
    auto expr = vigil::promql::parse(query);
    if (!expr)
        return badData("invalid parameter \"query\": " + expr.status().message());
    auto storage = vigil::promql::openStorageForQuery(parsed.value("--data-dir"));
    if (!storage) {
        std::printf("%s\n", renderErrorJson("unavailable", storage.status().message()).c_str());
        return 1;
    }
    vigil::promql::EngineOptions options;
    options.workerThreads = 1;
    vigil::promql::Engine engine(options);
    // Only the time range the query reads (as the HTTP API does).
    const auto dataRange =
        vigil::promql::queryDataRange(**expr, start, end, range ? step : 0, options.lookbackMs);
    auto querier = (*storage)->querier(dataRange.mint, dataRange.maxt);
    const auto result = range ? engine.rangeQuery(*querier, **expr, start, end, step)
                              : engine.instantQuery(*querier, **expr, start);
    if (!result.status.isOk()) {
        std::printf("%s\n",
                    renderErrorJson(vigil::promql::errorTypeFor(result.status, result.parseError),
                                    result.status.message())
                        .c_str());
        return 1;
    }
    std::printf("%s\n", vigil::promql::renderResultJson(result.value).c_str());
    return 0;
}

const vigil::ctl::Command* findSelf(const std::vector<std::string>& path) {
    for (const auto& c : vigil::ctl::commandRegistry())
        if (c.path == path)
            return &c;
    return nullptr;
}

}  // namespace

VIGILCTL_COMMAND({{"query"},
                  "--data-dir DIR [--time T] EXPR",
                  "Run an instant PromQL query; print the result as /api/v1/query JSON.",
                  [](const std::vector<std::string>& args) -> int {
                      return runQuery(*findSelf({"query"}), args, false);
                  }});

VIGILCTL_COMMAND({{"query-range"},
                  "--data-dir DIR --start T --end T --step D EXPR",
                  "Run a PromQL range query; print the result as /api/v1/query_range JSON.",
                  [](const std::vector<std::string>& args) -> int {
                      return runQuery(*findSelf({"query-range"}), args, true);
                  }});

// vigilctl logs query --data-dir DIR [--from T] [--to T] [--limit N]
//   [--follow] [--output raw|json] QUERY: LogQL over a Vigil data directory.

#include <csignal>
#include <cstdio>
#include <string>

#include "app/vigilctl/command.h"
#include "core/engine/data_dir_lock.h"
#include "core/http/loki_api.h"
#include "core/logs/logql/logs_query.h"
#include "core/logs/store/log_store.h"
#include "core/util/env.h"
#include "core/util/human_units.h"

namespace {

std::atomic<bool> g_stop{false};

void onSignal(int) {
    g_stop.store(true);
}

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// "now", "now-1h", or anything Loki's API takes (ns, seconds, RFC 3339).
vigil::Result<std::int64_t> parseTime(const std::string& text, const char* flag) {
    if (text == "now")
        return nowNs();
    if (text.rfind("now-", 0) == 0) {
        auto ago = vigil::parseDuration(text.substr(4));
        if (!ago.isOk())
            return vigil::Status::error(std::string(flag) + ": " + ago.status().message());
        return nowNs() - std::int64_t(ago->count()) * 1'000'000;
    }
    auto parsed = vigil::http::parseLokiTime(text);
    if (!parsed.isOk())
        return vigil::Status::error(std::string(flag) + ": " + parsed.status().message());
    return *parsed;
}

int runLogsQuery(const std::vector<std::string>& args) {
    const auto parsed = vigil::ctl::parseArgs(
        args, {"--data-dir", "--from", "--to", "--limit", "--output"}, {"--follow"});
    if (!parsed.error.empty() || parsed.positional.size() != 1 || !parsed.has("--data-dir")) {
        std::fprintf(
            stderr,
            "vigilctl logs query: %s\nusage: vigilctl logs query --data-dir DIR [--from now-1h] "
            "[--to now] [--limit 100] [--follow] [--output raw|json] QUERY\n",
            !parsed.error.empty()      ? parsed.error.c_str()
            : parsed.has("--data-dir") ? "exactly one QUERY is required"
                                       : "--data-dir is required");
        return 2;
    }
    vigil::logql::LogsQueryOptions options;
    options.query = parsed.positional.front();
    auto from = parseTime(parsed.value("--from", "now-1h"), "--from");
    auto to = parseTime(parsed.value("--to", "now"), "--to");
    if (!from.isOk() || !to.isOk()) {
        std::fprintf(stderr, "vigilctl logs query: %s\n",
                     (!from.isOk() ? from.status() : to.status()).message().c_str());
        return 2;
    }
    options.fromNs = *from;
    options.toNs = *to;
    try {
        options.limit = std::stoul(parsed.value("--limit", "100"));
    } catch (...) {
        std::fprintf(stderr, "vigilctl logs query: --limit: expected a number\n");
        return 2;
    }
    const std::string output = parsed.value("--output", "raw");
    if (output != "raw" && output != "json") {
        std::fprintf(stderr, "vigilctl logs query: --output: expected raw or json, got '%s'\n",
                     output.c_str());
        return 2;
    }
    options.output = output == "json" ? vigil::logql::LogsQueryOptions::Output::kJson
                                      : vigil::logql::LogsQueryOptions::Output::kRaw;
    options.follow = parsed.has("--follow");

    const std::string dataDir = parsed.value("--data-dir");
    vigil::engine::DataDirLock lock(QString::fromStdString(dataDir));
    if (vigil::Status locked = lock.acquire(); !locked.isOk()) {
        std::fprintf(stderr,
                     "vigilctl logs query: %s Query a running Vigil through its Loki API instead "
                     "(/loki/api/v1/query_range).\n",
                     locked.message().c_str());
        return 1;
    }
    auto store = vigil::logs::store::LogStore::open(
        vigil::Env::posix(), vigil::logs::store::logsDirForDataDir(dataDir), {}, nullptr);
    if (!store.isOk()) {
        std::fprintf(stderr, "vigilctl logs query: %s\n", store.status().message().c_str());
        return 1;
    }
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    const vigil::Status status = vigil::logql::runLogsQuery(**store, options, stdout, &g_stop);
    (void)(*store)->close();
    if (!status.isOk()) {
        std::fprintf(stderr, "vigilctl logs query: %s\n", status.message().c_str());
        return 1;
    }
    return 0;
}

}  // namespace

VIGILCTL_COMMAND(
    {{"logs", "query"},
     "--data-dir DIR [--from now-1h] [--to now] [--limit N] [--follow] [--output raw|json] QUERY",
     "Run a LogQL query over a Vigil data directory: raw lines, Loki's JSON, or a metric "
     "query's result.",
     runLogsQuery});

// vigilctl tsdb ...: block maintenance on a data directory, like promtool tsdb.
//
//   tsdb import openmetrics FILE DATA_DIR [--max-block-duration D]
//   tsdb analyze DATA_DIR [--limit N]
//   tsdb snapshot DATA_DIR OUT_DIR
//   tsdb delete DATA_DIR --match SELECTOR [--start T] [--end T]

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <unordered_set>

#include <QString>
#include "app/vigilctl/command.h"
#include "core/engine/data_dir_lock.h"
#include "core/promql/parser.h"
#include "core/tsdb/block/block.h"
#include "core/tsdb/compact/block_set.h"
#include "core/tsdb/db/exclusive_db.h"
#include "core/tsdb/import/openmetrics_import.h"
#include "core/util/human_units.h"

namespace {

using vigil::Env;
using vigil::Result;
using vigil::Status;
namespace tsdb = vigil::tsdb;

const vigil::ctl::Command* findCommand(const std::vector<std::string>& path) {
    for (const auto& c : vigil::ctl::commandRegistry())
        if (c.path == path)
            return &c;
    return nullptr;
}

int fail(const std::string& what, const Status& st) {
    std::fprintf(stderr, "vigilctl %s: %s\n", what.c_str(), st.message().c_str());
    return 1;
}

double cpuSeconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Prometheus's API time parameter: unix seconds (fractions allowed) or RFC 3339.
Result<vigil::model::Timestamp> parseTime(const std::string& s) {
    char* end = nullptr;
    double f = std::strtod(s.c_str(), &end);
    if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(f)) {
        double whole = std::trunc(f);
        double frac = std::round((f - whole) * 1000);
        return static_cast<vigil::model::Timestamp>(whole) * 1000 +
               static_cast<vigil::model::Timestamp>(frac);
    }
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) == 6) {
        std::string rest = s.substr(static_cast<std::size_t>(consumed));
        std::int64_t ms = 0;
        if (!rest.empty() && rest[0] == '.') {
            std::size_t i = 1;
            std::int64_t scale = 100;
            while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) {
                ms += (rest[i] - '0') * scale;
                scale /= 10;
                ++i;
            }
            if (i == 1)
                return Status::error("invalid time \"" + s + "\": no digits after '.'");
            rest = rest.substr(i);
        }
        std::int64_t offsetSec = 0;
        if (rest == "Z" || rest == "z") {
        } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
            int hh = 0, mm = 0;
            if (std::sscanf(rest.c_str() + 1, "%2d:%2d", &hh, &mm) != 2)
                return Status::error("invalid time \"" + s + "\": bad zone offset");
            offsetSec = (hh * 3600 + mm * 60) * (rest[0] == '-' ? -1 : 1);
        } else {
            return Status::error("invalid time \"" + s +
                                 "\": want unix seconds or RFC 3339 (2025-01-01T00:00:00Z)");
        }
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        std::int64_t secs = static_cast<std::int64_t>(timegm(&tm)) - offsetSec;
        return secs * 1000 + ms;
    }
    return Status::error("invalid time \"" + s +
                         "\": want unix seconds or RFC 3339 (2025-01-01T00:00:00Z)");
}

std::string formatTime(vigil::model::Timestamp ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int runImport(const std::vector<std::string>& args) {
    const auto* cmd = findCommand({"tsdb", "import", "openmetrics"});
    auto parsed = vigil::ctl::parseArgs(args, {"--max-block-duration", "--samples-per-chunk"});
    if (!parsed.error.empty())
        return vigil::ctl::usageError(*cmd, parsed.error);
    if (parsed.positional.size() != 2)
        return vigil::ctl::usageError(*cmd, "expected FILE and DATA_DIR");
    tsdb::ImportOptions options;
    if (parsed.has("--max-block-duration")) {
        auto d = vigil::parseDuration(parsed.value("--max-block-duration"));
        if (!d)
            return vigil::ctl::usageError(*cmd, "--max-block-duration: " + d.status().message());
        if (d->count() <= 0)
            return vigil::ctl::usageError(*cmd, "--max-block-duration must be positive");
        options.maxBlockDurationMs = d->count();
    }
    if (parsed.has("--samples-per-chunk")) {
        // For measurements (FORMAT.md, "Blocks"); the default is chosen by them.
        const std::string v = parsed.value("--samples-per-chunk");
        char* end = nullptr;
        unsigned long n = std::strtoul(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || n == 0 || n > 65535)
            return vigil::ctl::usageError(*cmd,
                                          "--samples-per-chunk: want 1..65535, got \"" + v + "\"");
        options.samplesPerChunk = n;
    }
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    if (tty) {
        options.progress = [](std::uint64_t done, std::uint64_t total) {
            const int width = 40;
            double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
            int filled = static_cast<int>(frac * width);
            std::fprintf(stderr, "\r[%s%s] %5.1f%% parsed", std::string(filled, '#').c_str(),
                         std::string(width - filled, ' ').c_str(), frac * 100);
            std::fflush(stderr);
        };
    }
    // The blocks go into the data directory's TSDB; no Vigil may run on it meanwhile.
    vigil::engine::DataDirLock lock(QString::fromStdString(parsed.positional[1]));
    if (Status locked = lock.acquire(); !locked.isOk())
        return fail("tsdb import openmetrics", locked);
    const std::string tsdbDir = tsdb::tsdbDirForDataDir(parsed.positional[1]);
    if (!Env::posix()->isDirectory(tsdbDir)) {
        if (Status made = Env::posix()->createDir(tsdbDir); !made.isOk())
            return fail("tsdb import openmetrics", made);
    }
    const double cpu0 = cpuSeconds();
    const auto wall0 = std::chrono::steady_clock::now();
    auto stats = tsdb::importOpenMetricsFile(Env::posix(), parsed.positional[0], tsdbDir, options);
    if (tty)
        std::fprintf(stderr, "\n");
    if (!stats)
        return fail("tsdb import openmetrics", stats.status());
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const double cpu = cpuSeconds() - cpu0;
    const double samples = static_cast<double>(std::max<std::uint64_t>(stats->samples, 1));
    std::printf(
        "imported %llu series, %llu samples into %llu blocks: %.3f bytes/sample (chunks %.3f), "
        "%.2f s (%.2f CPU s)\n",
        static_cast<unsigned long long>(stats->series),
        static_cast<unsigned long long>(stats->samples),
        static_cast<unsigned long long>(stats->blocks),
        static_cast<double>(stats->blockBytes) / samples,
        static_cast<double>(stats->chunkBytes) / samples, wall, cpu);
    return 0;
}

int runAnalyze(const std::vector<std::string>& args) {
    const auto* cmd = findCommand({"tsdb", "analyze"});
    auto parsed = vigil::ctl::parseArgs(args, {"--limit"});
    if (!parsed.error.empty())
        return vigil::ctl::usageError(*cmd, parsed.error);
    if (parsed.positional.size() != 1)
        return vigil::ctl::usageError(*cmd, "expected DATA_DIR");
    std::size_t limit = 10;
    if (parsed.has("--limit")) {
        char* end = nullptr;
        const std::string v = parsed.value("--limit");
        unsigned long n = std::strtoul(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || n == 0)
            return vigil::ctl::usageError(*cmd,
                                          "--limit: want a positive integer, got \"" + v + "\"");
        limit = n;
    }
    Env* env = Env::posix();
    const std::string dir = tsdb::tsdbDirForDataDir(parsed.positional[0]);
    auto names = env->getChildren(dir);
    if (!names)
        return fail("tsdb analyze", names.status());
    std::vector<std::shared_ptr<tsdb::Block>> blocks;
    int problems = 0;
    for (const auto& name : *names) {
        if (!tsdb::isUlid(name) || !env->isDirectory(vigil::joinPath(dir, name)))
            continue;
        auto b = tsdb::Block::open(env, vigil::joinPath(dir, name), true);
        if (!b) {
            std::printf("CORRUPT block %s: %s\n", name.c_str(), b.status().message().c_str());
            ++problems;
            continue;
        }
        blocks.push_back(std::move(b.value()));
    }
    std::sort(blocks.begin(), blocks.end(),
              [](const auto& a, const auto& b) { return a->meta().minTime < b->meta().minTime; });
    std::printf("%-26s  %-20s  %-20s  %9s  %10s  %8s  %12s  %8s\n", "Block ID", "Min time",
                "Max time", "Series", "Samples", "Chunks", "Bytes", "B/sample");
    std::uint64_t samples = 0, bytes = 0, chunkBytes = 0;
    std::unordered_set<std::uint64_t> seen;
    std::map<std::string, std::set<std::string>> labelValues;
    std::map<std::string, std::uint64_t> metricSeries;
    for (const auto& b : blocks) {
        const auto& m = b->meta();
        std::uint64_t size = b->sizeBytes();
        samples += m.numSamples;
        bytes += size;
        chunkBytes += b->chunks().sizeBytes();
        std::printf(
            "%-26s  %-20s  %-20s  %9llu  %10llu  %8llu  %12llu  %8.3f\n", m.ulid.c_str(),
            formatTime(m.minTime).c_str(), formatTime(m.maxTime).c_str(),
            static_cast<unsigned long long>(m.numSeries),
            static_cast<unsigned long long>(m.numSamples),
            static_cast<unsigned long long>(m.numChunks), static_cast<unsigned long long>(size),
            m.numSamples ? static_cast<double>(size) / static_cast<double>(m.numSamples) : 0.0);
        const auto& index = b->index();
        for (auto name : index.labelNames())
            for (auto v : index.labelValues(name))
                labelValues[std::string(name)].emplace(v);
        vigil::model::Labels labels;
        for (std::uint32_t id = 0; id < index.numSeries(); ++id) {
            Status st = index.series(id, &labels, nullptr);
            if (!st.isOk())
                return fail("tsdb analyze", st);
            if (seen.insert(labels.hash()).second)
                metricSeries[std::string(labels.metricName())]++;
        }
    }
    std::printf("\nBlocks: %zu\nSeries: %zu\nSamples: %llu\nBytes: %llu (chunks %llu)\n",
                blocks.size(), seen.size(), static_cast<unsigned long long>(samples),
                static_cast<unsigned long long>(bytes),
                static_cast<unsigned long long>(chunkBytes));
    if (samples)
        std::printf("Bytes per sample: %.3f (chunks %.3f)\n",
                    static_cast<double>(bytes) / static_cast<double>(samples),
                    static_cast<double>(chunkBytes) / static_cast<double>(samples));
    std::vector<std::pair<std::uint64_t, std::string>> top;
    for (const auto& [name, values] : labelValues)
        top.emplace_back(values.size(), name);
    std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    std::printf("\nLabel names with most values:\n");
    for (std::size_t i = 0; i < top.size() && i < limit; ++i)
        std::printf("%10llu %s\n", static_cast<unsigned long long>(top[i].first),
                    top[i].second.c_str());
    top.clear();
    for (const auto& [name, n] : metricSeries)
        top.emplace_back(n, name);
    std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    std::printf("\nMetric names with most series:\n");
    for (std::size_t i = 0; i < top.size() && i < limit; ++i)
        std::printf("%10llu %s\n", static_cast<unsigned long long>(top[i].first),
                    top[i].second.c_str());
    return problems ? 1 : 0;
}

int runSnapshot(const std::vector<std::string>& args) {
    const auto* cmd = findCommand({"tsdb", "snapshot"});
    auto parsed = vigil::ctl::parseArgs(args, {});
    if (!parsed.error.empty())
        return vigil::ctl::usageError(*cmd, parsed.error);
    if (parsed.positional.size() != 2)
        return vigil::ctl::usageError(*cmd, "expected DATA_DIR and OUT_DIR");
    if (!Env::posix()->isDirectory(parsed.positional[0]))
        return fail("tsdb snapshot", Status::error(parsed.positional[0] + ": not a directory"));
    // Through the whole TSDB: the blocks and the head's data (as one more block).
    auto opened = tsdb::ExclusiveDb::open(parsed.positional[0]);
    if (!opened)
        return fail("tsdb snapshot", opened.status());
    tsdb::Db& db = (*opened)->db();
    for (const auto& w : db.warnings())
        std::fprintf(stderr, "warning: %s\n", w.c_str());
    Status st = db.snapshot(parsed.positional[1]);
    if (!st.isOk())
        return fail("tsdb snapshot", st);
    std::printf("snapshot of %zu blocks and the head written to %s\n", db.blocks().blocks().size(),
                parsed.positional[1].c_str());
    return 0;
}

int runDelete(const std::vector<std::string>& args) {
    const auto* cmd = findCommand({"tsdb", "delete"});
    auto parsed = vigil::ctl::parseArgs(args, {"--match", "--start", "--end"});
    if (!parsed.error.empty())
        return vigil::ctl::usageError(*cmd, parsed.error);
    if (parsed.positional.size() != 1)
        return vigil::ctl::usageError(*cmd, "expected DATA_DIR");
    if (!parsed.has("--match"))
        return vigil::ctl::usageError(*cmd, "--match SELECTOR is required");
    vigil::model::Timestamp start = vigil::model::kMinTimestamp;
    vigil::model::Timestamp end = vigil::model::kMaxTimestamp;
    if (parsed.has("--start")) {
        auto t = parseTime(parsed.value("--start"));
        if (!t)
            return vigil::ctl::usageError(*cmd, "--start: " + t.status().message());
        start = *t;
    }
    if (parsed.has("--end")) {
        auto t = parseTime(parsed.value("--end"));
        if (!t)
            return vigil::ctl::usageError(*cmd, "--end: " + t.status().message());
        end = *t;
    }
    if (start > end)
        return vigil::ctl::usageError(*cmd, "--start is after --end");
    std::vector<std::vector<vigil::model::Matcher>> selectors;
    for (const auto& m : parsed.values("--match")) {
        auto sel = vigil::promql::parseSeriesSelector(m);
        if (!sel)
            return vigil::ctl::usageError(*cmd, "--match " + m + ": " + sel.status().message());
        selectors.push_back(std::move(sel.value()));
    }
    if (!Env::posix()->isDirectory(parsed.positional[0]))
        return fail("tsdb delete", Status::error(parsed.positional[0] + ": not a directory"));
    // In the head and, as tombstones, in every block.
    auto opened = tsdb::ExclusiveDb::open(parsed.positional[0]);
    if (!opened)
        return fail("tsdb delete", opened.status());
    tsdb::Db& db = (*opened)->db();
    for (const auto& w : db.warnings())
        std::fprintf(stderr, "warning: %s\n", w.c_str());
    for (const auto& sel : selectors) {
        Status st = db.deleteSeries(sel, start, end);
        if (!st.isOk())
            return fail("tsdb delete", st);
    }
    const auto set = &db.blocks();
    std::uint64_t tombstones = 0;
    for (const auto& b : set->blocks())
        tombstones += b->tombstones()->numIntervals();
    std::printf("deleted; %zu blocks now hold %llu tombstones\n", set->blocks().size(),
                static_cast<unsigned long long>(tombstones));
    return 0;
}

}  // namespace

VIGILCTL_COMMAND({{"tsdb", "import", "openmetrics"},
                  "FILE DATA_DIR [--max-block-duration D] [--samples-per-chunk N]",
                  "Build blocks in the TSDB of Vigil data directory DATA_DIR from an OpenMetrics "
                  "text file (as promtool "
                  "tsdb create-blocks-from openmetrics).",
                  runImport});
VIGILCTL_COMMAND({{"tsdb", "analyze"},
                  "DATA_DIR [--limit N]",
                  "Print the blocks, series, samples, bytes per sample, and the label and metric "
                  "names with the most values and series.",
                  runAnalyze});
VIGILCTL_COMMAND({{"tsdb", "snapshot"},
                  "DATA_DIR OUT_DIR",
                  "Write a consistent copy of the TSDB of DATA_DIR (blocks as hard links, and the "
                  "head) into OUT_DIR.",
                  runSnapshot});
VIGILCTL_COMMAND({{"tsdb", "delete"},
                  "DATA_DIR --match SELECTOR [--start T] [--end T]",
                  "Delete the samples of matching series in [start, end] (RFC 3339 or unix "
                  "seconds) with tombstones.",
                  runDelete});

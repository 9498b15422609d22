// vigilctl logs import FILE DATA_DIR --label k=v... [--preset NAME | --pipeline FILE]
//
// Loads an existing log file (an old syslog, a support bundle) into the data
// directory's log store, one entry per line, under the given labels plus
// filename=<FILE>. Without a pipeline, lines get the import time as their
// timestamp, 1 ns apart so that their order is kept. With --preset (a
// bundled pipeline: nginx-access, nginx-error, postgresql, syslog, json-app)
// or --pipeline (a YAML file with `pipeline_stages:` or a bare list of
// Promtail stages), every line runs through the pipeline first, which may set
// the timestamp from the line, add labels (so entries may land in several
// streams), join lines (multiline, flushed at the end of the file) or drop
// them. A progress bar is drawn when stdout is a terminal; a summary line
// ends the run.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <QString>

#include "app/vigilctl/command.h"
#include "core/engine/data_dir_lock.h"
#include "core/logs/pipeline/presets.h"
#include "core/logs/store/log_store.h"

namespace {

using namespace vigil;
using logs::LogStream;

const ctl::Command* findCommand();

int fail(const std::string& message) {
    std::fprintf(stderr, "vigilctl logs import: %s\n", message.c_str());
    return 1;
}

bool validLabelName(const std::string& name) {
    if (name.empty())
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

void drawProgress(std::uint64_t done, std::uint64_t total, std::uint64_t lines) {
    const int width = 40;
    const double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    const int filled = static_cast<int>(frac * width);
    std::printf("\r[%s%s] %5.1f%% %llu lines",
                std::string(static_cast<std::size_t>(filled), '#').c_str(),
                std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), frac * 100,
                static_cast<unsigned long long>(lines));
    std::fflush(stdout);
}

int run(const std::vector<std::string>& args) {
    const ctl::Command& cmd = *findCommand();
    auto parsed = ctl::parseArgs(args, {"--label", "--preset", "--pipeline"});
    if (!parsed.error.empty())
        return ctl::usageError(cmd, parsed.error);
    if (parsed.positional.size() != 2)
        return ctl::usageError(cmd, "expected FILE and DATA_DIR");
    if (parsed.has("--preset") && parsed.has("--pipeline"))
        return ctl::usageError(cmd, "--preset and --pipeline cannot be used together");
    std::unique_ptr<logs::pipeline::Pipeline> pipeline;
    if (parsed.has("--preset")) {
        auto loaded = logs::pipeline::loadPreset(parsed.value("--preset"));
        if (!loaded.isOk())
            return ctl::usageError(cmd, "--preset: " + loaded.status().message());
        pipeline = std::move(loaded.value());
    } else if (parsed.has("--pipeline")) {
        auto loaded = logs::pipeline::loadPipelineFile(parsed.value("--pipeline"));
        if (!loaded.isOk())
            return fail("invalid pipeline file:\n" + loaded.status().message());
        pipeline = std::move(loaded.value());
    }
    const std::string& file = parsed.positional[0];
    const std::string& dataDir = parsed.positional[1];

    std::vector<model::Label> pairs;
    bool haveFilename = false;
    for (const std::string& kv : parsed.values("--label")) {
        const std::size_t eq = kv.find('=');
        if (eq == std::string::npos)
            return ctl::usageError(cmd, "--label " + kv + ": expected NAME=VALUE");
        std::string name = kv.substr(0, eq);
        std::string value = kv.substr(eq + 1);
        if (!validLabelName(name))
            return ctl::usageError(cmd, "--label " + kv + ": invalid label name \"" + name + "\"");
        if (value.empty())
            return ctl::usageError(cmd, "--label " + kv + ": empty value");
        for (const auto& p : pairs)
            if (p.name == name)
                return ctl::usageError(cmd, "--label " + kv + ": label " + name + " given twice");
        haveFilename = haveFilename || name == "filename";
        pairs.push_back({std::move(name), std::move(value)});
    }
    if (pairs.empty())
        pairs.push_back({"job", "import"});
    if (!haveFilename)
        pairs.push_back({"filename", file});
    LogStream stream;
    stream.labels = model::Labels::fromUnsorted(std::move(pairs));

    FILE* in = std::fopen(file.c_str(), "rb");
    if (!in)
        return fail("cannot open " + file + ": " + std::strerror(errno));
    std::fseek(in, 0, SEEK_END);
    const long fileSize = std::ftell(in);
    std::fseek(in, 0, SEEK_SET);

    engine::DataDirLock lock(QString::fromStdString(dataDir));
    if (Status locked = lock.acquire(); !locked.isOk()) {
        std::fclose(in);
        return fail(locked.message());
    }
    logs::store::LogStoreOptions options;
    auto opened = logs::store::LogStore::open(Env::posix(), logs::store::logsDirForDataDir(dataDir),
                                              options, nullptr);
    if (!opened) {
        std::fclose(in);
        return fail(opened.status().message());
    }
    auto& store = *opened.value();

    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    const auto wall0 = std::chrono::steady_clock::now();
    const std::int64_t base = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
    std::uint64_t lines = 0, bytes = 0, accepted = 0, refused = 0, entries = 0;
    std::string firstError;
    std::size_t batchBytes = 0;
    // Entries waiting to be pushed, one LogStream per label set.
    std::vector<LogStream> batch;
    std::unordered_map<std::string, std::size_t> batchIndex;
    std::size_t lastIndex = 0;
    std::size_t streamsSeen = 0;
    std::unordered_map<std::string, bool> allStreams;
    auto flush = [&]() -> bool {
        if (batch.empty())
            return true;
        const auto r = store.push(batch);
        accepted += r.accepted;
        refused += r.rejected;
        if (r.rejected > 0 && firstError.empty())
            firstError = r.firstError;
        batch.clear();
        batchIndex.clear();
        lastIndex = 0;
        batchBytes = 0;
        // Nothing accepted for a reason other than a refusal: the store failed.
        return !(r.accepted == 0 && r.firstRejection == logs::LogRejection::kNone &&
                 !r.firstError.empty());
    };
    auto add = [&](model::Labels labels, std::int64_t tsNs, std::string line,
                   model::Labels metadata) {
        // Consecutive entries mostly share their stream: no lookup then.
        std::size_t index = lastIndex;
        if (index >= batch.size() || !(batch[index].labels == labels)) {
            std::string key = labels.toString();
            auto [it, inserted] = batchIndex.try_emplace(key, batch.size());
            if (inserted) {
                batch.push_back(LogStream{std::move(labels), {}});
                if (allStreams.try_emplace(std::move(key), true).second)
                    ++streamsSeen;
            }
            index = lastIndex = it->second;
        }
        batchBytes += line.size();
        batch[index].entries.push_back({tsNs, std::move(line), std::move(metadata)});
        ++entries;
    };
    // Base labels as the pipeline's entry labels.
    std::map<std::string, std::string> baseLabels;
    for (const auto& l : stream.labels)
        baseLabels.emplace(l.name, l.value);
    std::vector<logs::pipeline::Entry> out;
    auto drain = [&]() {
        for (auto& e : out) {
            model::LabelsBuilder metadata;
            for (const auto& [k, v] : e.structuredMetadata)
                if (!v.empty())
                    metadata.set(k, v);
            add(logs::pipeline::streamLabels(e), e.tsNs, std::move(e.line), metadata.labels());
        }
        out.clear();
    };

    std::vector<char> buf(4 << 20);
    std::size_t have = 0;
    std::uint64_t lastDrawn = 0;
    bool ok = true;
    for (bool eof = false; !eof && ok;) {
        const std::size_t n = std::fread(buf.data() + have, 1, buf.size() - have, in);
        have += n;
        eof = n == 0;
        std::size_t pos = 0;
        for (;;) {
            const void* nl = std::memchr(buf.data() + pos, '\n', have - pos);
            std::size_t end;
            if (nl) {
                end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
            } else if (eof && pos < have) {
                end = have;  // a last line without a newline
            } else if (!eof && pos == 0 && have == buf.size()) {
                end = have;  // a line longer than the buffer: the store refuses it as too long
            } else {
                break;
            }
            std::size_t len = end - pos;
            if (len > 0 && buf[pos + len - 1] == '\r')
                --len;
            bytes += end - pos + (nl ? 1 : 0);
            const std::int64_t ts = base + static_cast<std::int64_t>(lines);
            if (pipeline) {
                pipeline->process(
                    logs::pipeline::Entry{
                        baseLabels, {}, ts, std::string(buf.data() + pos, len), {}},
                    out);
                drain();
            } else {
                add(stream.labels, ts, std::string(buf.data() + pos, len), {});
            }
            ++lines;
            pos = nl ? end + 1 : end;
            if (batchBytes >= (1 << 20) && !(ok = flush()))
                break;
        }
        std::memmove(buf.data(), buf.data() + pos, have - pos);
        have -= pos;
        if (tty && (bytes - lastDrawn >= (8 << 20) || eof)) {
            drawProgress(bytes, static_cast<std::uint64_t>(std::max(fileSize, 0L)), lines);
            lastDrawn = bytes;
        }
    }
    const bool readError = std::ferror(in) != 0;
    std::fclose(in);
    if (ok && pipeline) {
        // The end of the input: multiline blocks and partial lines come out.
        pipeline->flush(base + static_cast<std::int64_t>(lines), true, out);
        drain();
    }
    if (ok)
        ok = flush();
    if (tty)
        std::printf("\n");
    Status closed = store.close();
    if (!ok)
        return fail("storing failed: " + firstError);
    if (readError)
        return fail("error reading " + file);
    if (!closed.isOk())
        return fail(closed.message());
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    if (pipeline) {
        std::printf(
            "imported %llu of %llu entries from %llu lines (%.1f MB) into %zu stream%s in "
            "%.2f s (%.0f lines/s); %llu dropped by the pipeline",
            static_cast<unsigned long long>(accepted), static_cast<unsigned long long>(entries),
            static_cast<unsigned long long>(lines), static_cast<double>(bytes) / 1e6, streamsSeen,
            streamsSeen == 1 ? "" : "s", wall, wall > 0 ? static_cast<double>(lines) / wall : 0.0,
            static_cast<unsigned long long>(pipeline->dropped()));
    } else {
        std::printf("imported %llu of %llu lines (%.1f MB) into %s in %.2f s (%.0f lines/s)",
                    static_cast<unsigned long long>(accepted),
                    static_cast<unsigned long long>(lines), static_cast<double>(bytes) / 1e6,
                    stream.labels.toString().c_str(), wall,
                    wall > 0 ? static_cast<double>(lines) / wall : 0.0);
    }
    if (refused > 0) {
        std::printf("; %llu refused, first: %s\n", static_cast<unsigned long long>(refused),
                    firstError.c_str());
        return 1;
    }
    std::printf("\n");
    return 0;
}

VIGILCTL_COMMAND({{"logs", "import"},
                  "FILE DATA_DIR [--label NAME=VALUE]... [--preset NAME | --pipeline FILE]",
                  "load a log file into the data directory's log store, one entry per line, "
                  "optionally through a pipeline preset or file",
                  run});

const ctl::Command* findCommand() {
    for (const auto& c : ctl::commandRegistry())
        if (c.path == std::vector<std::string>{"logs", "import"})
            return &c;
    return nullptr;
}

}  // namespace

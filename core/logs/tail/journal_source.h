#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/promtail_config.h"
#include "core/logs/log_store_api.h"
#include "core/model/labels.h"
#include "core/util/status.h"

namespace vigil::logs::tail {

// One entry of `journalctl -o json`.
struct JournalRecord {
    TimestampNs tsNs = 0;  // __REALTIME_TIMESTAMP
    std::string line;      // MESSAGE (a string or a byte array), or the whole JSON
    std::string cursor;    // __CURSOR
    // Every field with a string value as `__journal_<field in lower case>`.
    model::Labels labels;
};

// Parses one line of `journalctl -o json`; `wholeJson` makes the line the
// JSON object itself (Promtail's `json: true`). Errors name what is wrong.
Result<JournalRecord> parseJournalJson(std::string_view json, bool wholeJson);

// A journal job: runs `journalctl -o json -f` as a child process and reads
// its output without blocking. Not thread-safe: the tailer's thread owns it.
class JournalSource {
public:
    // `journalctl` is the program to run (searched on the PATH); tests give a
    // script that prints recorded output.
    JournalSource(std::string jobName, config::JournalConfig config, std::string journalctl);
    ~JournalSource();
    JournalSource(const JournalSource&) = delete;
    JournalSource& operator=(const JournalSource&) = delete;

    // The command line for a start after `cursor` (empty: the entries of
    // the last max_age).
    std::vector<std::string> arguments(const std::string& cursor) const;

    // Starts the process. An error (no journal on this machine, journalctl
    // missing) is also kept as error().
    Status start(const std::string& cursor);
    // Terminates the process and reaps it. Idempotent.
    void stop();
    bool running() const { return m_pid > 0; }
    // The pipe to wait on (its output), or -1 when not running.
    int fd() const { return m_stdout; }

    // Reads what is available and calls `sink` for each complete line
    // parsed. When the process ended, reaps it, records the reason in
    // error() and returns false.
    bool read(const std::function<void(JournalRecord&&)>& sink, std::size_t maxLineLength);

    const std::string& jobName() const { return m_jobName; }
    const config::JournalConfig& config() const { return m_config; }
    const std::string& error() const { return m_error; }
    std::uint64_t parseErrors() const { return m_parseErrors; }

    // When the process stopped: the time it may be started again.
    std::chrono::steady_clock::time_point restartAt() const { return m_restartAt; }

private:
    void drainStderr();
    void reap();

    std::string m_jobName;
    config::JournalConfig m_config;
    std::string m_journalctl;
    pid_t m_pid = -1;
    int m_stdout = -1;
    int m_stderr = -1;
    std::string m_buffer;  // a partial line
    std::string m_stderrText;
    std::string m_error;
    std::uint64_t m_parseErrors = 0;
    std::chrono::steady_clock::time_point m_restartAt{};
};

}  // namespace vigil::logs::tail

#include "core/logs/tail/journal_source.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>

extern char** environ;

namespace vigil::logs::tail {

Result<JournalRecord> parseJournalJson(std::string_view json, bool wholeJson) {
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(json.data(), static_cast<qsizetype>(json.size())), &error);
    if (error.error != QJsonParseError::NoError)
        return Status::corruption("invalid journal JSON at offset " + std::to_string(error.offset) +
                                  ": " + error.errorString().toStdString());
    if (!doc.isObject())
        return Status::corruption("invalid journal JSON: expected an object");
    const QJsonObject object = doc.object();
    JournalRecord record;
    const QJsonValue realtime = object.value(QStringLiteral("__REALTIME_TIMESTAMP"));
    bool ok = false;
    const qint64 us = realtime.toString().toLongLong(&ok);
    if (!ok)
        return Status::corruption("journal entry without a valid __REALTIME_TIMESTAMP");
    record.tsNs = us * 1000;
    record.cursor = object.value(QStringLiteral("__CURSOR")).toString().toStdString();

    const QJsonValue message = object.value(QStringLiteral("MESSAGE"));
    if (wholeJson) {
        record.line.assign(json.data(), json.size());
    } else if (message.isString()) {
        record.line = message.toString().toStdString();
    } else if (message.isArray()) {  // not valid UTF-8: journalctl prints the bytes
        for (const QJsonValue byte : message.toArray())
            record.line.push_back(static_cast<char>(byte.toInt()));
    }

    model::LabelsBuilder builder;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it.value().isString())
            continue;
        builder.set("__journal_" + it.key().toLower().toStdString(),
                    it.value().toString().toStdString());
    }
    // Promtail adds the priority's name (journald's PRIORITY is a number).
    static const char* const kPriorities[] = {"emerg",   "alert",  "crit", "error",
                                              "warning", "notice", "info", "debug"};
    const int priority = object.value(QStringLiteral("PRIORITY")).toString().toInt(&ok);
    if (ok && priority >= 0 && priority < 8)
        builder.set("__journal_priority_keyword", kPriorities[priority]);
    record.labels = builder.labels();
    return record;
}

JournalSource::JournalSource(std::string jobName, config::JournalConfig config,
                             std::string journalctl)
    : m_jobName(std::move(jobName)),
      m_config(std::move(config)),
      m_journalctl(std::move(journalctl)) {}

JournalSource::~JournalSource() {
    stop();
}

std::vector<std::string> JournalSource::arguments(const std::string& cursor) const {
    std::vector<std::string> args{m_journalctl, "--output=json", "--follow", "--no-pager",
                                  "--no-tail"};
    if (!cursor.empty()) {
        args.push_back("--after-cursor=" + cursor);
    } else {
        const auto seconds =
            std::chrono::duration_cast<std::chrono::seconds>(m_config.maxAge).count();
        args.push_back("--since=-" + std::to_string(seconds) + "s");
    }
    if (!m_config.path.empty())
        args.push_back("--directory=" + m_config.path);
    std::istringstream matches(m_config.matches);
    std::string match;
    while (matches >> match)
        args.push_back(match);
    return args;
}

Status JournalSource::start(const std::string& cursor) {
    stop();
    m_buffer.clear();
    m_stderrText.clear();
    struct stat st {};
    if (m_config.path.empty() && stat("/run/systemd/journal", &st) != 0) {
        m_error = "no systemd journal on this machine (/run/systemd/journal does not exist)";
        m_restartAt = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        return Status::error(Status::Code::kNotFound, m_error);
    }
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        return Status::ioError(std::string("pipe: ") + std::strerror(errno));
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        return Status::ioError(std::string("pipe: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    const std::vector<std::string> args = arguments(cursor);
    std::vector<char*> argv;
    for (const auto& arg : args)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc =
        posix_spawnp(&pid, m_journalctl.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        close(out[0]);
        close(err[0]);
        m_error = "cannot run " + m_journalctl + ": " + std::strerror(rc);
        m_restartAt = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        return Status::error(Status::Code::kNotFound, m_error);
    }
    fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
    fcntl(err[0], F_SETFL, fcntl(err[0], F_GETFL) | O_NONBLOCK);
    m_pid = pid;
    m_stdout = out[0];
    m_stderr = err[0];
    m_error.clear();
    return Status::ok();
}

void JournalSource::drainStderr() {
    if (m_stderr < 0)
        return;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(m_stderr, buffer, sizeof buffer);
        if (n <= 0)
            break;
        m_stderrText.append(buffer, static_cast<std::size_t>(n));
        if (m_stderrText.size() > 4096)
            m_stderrText.erase(0, m_stderrText.size() - 4096);
    }
}

void JournalSource::reap() {
    drainStderr();
    int status = 0;
    std::string how;
    if (m_pid > 0) {
        if (waitpid(m_pid, &status, WNOHANG) == 0) {
            kill(m_pid, SIGTERM);
            waitpid(m_pid, &status, 0);
        }
        if (WIFEXITED(status))
            how = "exited with status " + std::to_string(WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
            how = "was killed by signal " + std::to_string(WTERMSIG(status));
    }
    std::string text = m_stderrText;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    m_error = "journalctl " + how + (text.empty() ? "" : ": " + text);
    m_pid = -1;
    if (m_stdout >= 0)
        close(m_stdout);
    if (m_stderr >= 0)
        close(m_stderr);
    m_stdout = m_stderr = -1;
    m_restartAt = std::chrono::steady_clock::now() + std::chrono::seconds(5);
}

void JournalSource::stop() {
    if (m_pid > 0) {
        kill(m_pid, SIGTERM);
        int status = 0;
        waitpid(m_pid, &status, 0);
        m_pid = -1;
    }
    if (m_stdout >= 0)
        close(m_stdout);
    if (m_stderr >= 0)
        close(m_stderr);
    m_stdout = m_stderr = -1;
}

bool JournalSource::read(const std::function<void(JournalRecord&&)>& sink,
                         std::size_t maxLineLength) {
    if (m_stdout < 0)
        return false;
    drainStderr();
    char chunk[65536];
    bool ended = false;
    for (;;) {
        const ssize_t n = ::read(m_stdout, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;  // EAGAIN: nothing more for now
        if (n == 0) {
            ended = true;
            break;
        }
        m_buffer.append(chunk, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (;;) {
            const std::size_t nl = m_buffer.find('\n', start);
            if (nl == std::string::npos)
                break;
            const std::string_view json(m_buffer.data() + start, nl - start);
            start = nl + 1;
            if (json.empty())
                continue;
            auto record = parseJournalJson(json, m_config.json);
            if (!record) {
                ++m_parseErrors;
                m_error = record.status().message();
                continue;
            }
            if (record->line.size() > maxLineLength)
                record->line.resize(maxLineLength);
            sink(std::move(*record));
        }
        m_buffer.erase(0, start);
        if (static_cast<std::size_t>(n) < sizeof chunk)
            break;
    }
    if (ended) {
        reap();
        return false;
    }
    return true;
}

}  // namespace vigil::logs::tail

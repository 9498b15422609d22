#include "core/logs/tail/tailer.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QLoggingCategory>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/config/config_errors.h"
#include "core/instrument/metric_registry.h"
#include "core/logs/tail/glob.h"
#include "core/scrape/relabel.h"

namespace vigil::logs::tail {

Q_LOGGING_CATEGORY(lcTailer, "vigil.logs.tailer")

namespace {

constexpr std::size_t kReadChunk = 256 * 1024;
constexpr std::size_t kNoSlot = static_cast<std::size_t>(-1);
constexpr std::uint64_t kMaxBytesPerPoll = 16ULL << 20;  // per file

TimestampNs nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool isCompressed(const std::string& path) {
    for (const char* ext : {".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4"}) {
        const std::size_t n = std::strlen(ext);
        if (path.size() >= n && path.compare(path.size() - n, n, ext) == 0)
            return true;
    }
    return false;
}

std::string parentDir(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// `${HOSTNAME}` in a label value is this machine's name (the default
// config's `host` label), as Promtail's -config.expand-env would give it.
std::string expandHostname(const std::string& value) {
    static const std::string kVar = "${HOSTNAME}";
    const auto at = value.find(kVar);
    if (at == std::string::npos)
        return value;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = 0;
    std::string out = value;
    out.replace(at, kVar.size(), host);
    return expandHostname(out);
}

}  // namespace

struct Tailer::Job {
    const config::LogScrapeConfig* config = nullptr;  // into m_options.config
    std::unique_ptr<pipeline::Pipeline> pipeline;
    bool passThrough = true;  // no stages: entries skip the pipeline
    struct Target {
        std::string include;
        std::string exclude;
        std::map<std::string, std::string> labels;
    };
    std::vector<Target> targets;
    std::unique_ptr<JournalSource> journal;
    std::string journalCommitted;  // the cursor of the last stored entry
    std::uint64_t batchGen = 0;
    std::size_t batchCommit = kNoSlot;
};

struct Tailer::TailedFile {
    std::string path;
    Job* job = nullptr;
    int fd = -1;
    dev_t dev = 0;
    ino_t ino = 0;
    std::uint64_t nextRead = 0;   // the file offset of the next byte to read
    std::uint64_t lineStart = 0;  // where the pending partial line starts
    std::uint64_t committed = 0;  // everything before is stored
    std::uint64_t size = 0;
    std::string partial;
    bool partialTruncated = false;  // bytes beyond maxLineLength were dropped
    TimestampNs lastTs = 0;
    model::Labels labels;                         // the stream, without pipeline
    std::map<std::string, std::string> labelMap;  // the pipeline's input labels
    std::uint64_t batchGen = 0;
    std::size_t batchStream = kNoSlot;
    std::size_t batchCommit = kNoSlot;
    std::string error;
    instrument::Counter* readBytes = nullptr;
    instrument::Counter* readLines = nullptr;

    ~TailedFile() {
        if (fd >= 0)
            ::close(fd);
    }
};

struct Tailer::Batch {
    std::uint64_t generation = 0;
    std::vector<LogStream> streams;
    std::map<model::Labels, std::size_t> byLabels;
    // Pipeline output: the label maps seen in this batch and their stream,
    // so that an entry whose labels repeat (nearly all of them) finds its
    // stream by a hash and a comparison, without building Labels.
    struct KnownLabelMap {
        std::size_t hash = 0;
        std::map<std::string, std::string> labels;
        std::size_t stream = 0;
    };
    std::vector<KnownLabelMap> knownLabelMaps;
    std::vector<std::pair<TailedFile*, std::uint64_t>> fileCommits;
    std::vector<std::pair<Job*, std::string>> journalCommits;
    std::size_t bytes = 0;
    std::size_t entries = 0;
    std::size_t pushedLines = 0;
    bool storeDown = false;

    void clear() {
        streams.clear();
        byLabels.clear();
        knownLabelMaps.clear();
        fileCommits.clear();
        journalCommits.clear();
        bytes = 0;
        entries = 0;
    }
};

Tailer::Tailer(TailerOptions options, LogWriter& writer)
    : m_options(std::move(options)), m_writer(writer), m_readBuffer(kReadChunk) {
    if (auto* registry = m_options.metrics) {
        m_droppedCounter = &registry->counter(
            "vigil_logs_tailer_dropped_entries_total",
            "Entries read by the file tailer or the journal source that the log store refused.");
        m_truncatedCounter =
            &registry->counter("vigil_logs_tailer_truncated_lines_total",
                               "Lines longer than logs.max_line_length, cut to that length.");
        m_filesActive = &registry->gauge("vigil_logs_tailer_files_active",
                                         "The number of files the tailer is following.");
    }
}

Tailer::~Tailer() {
    for (auto& job : m_jobs) {
        if (job->journal)
            job->journal->stop();
    }
    if (m_inotify >= 0)
        ::close(m_inotify);
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

Status Tailer::open() {
    auto positions = Positions::load(m_options.env, m_options.positionsFile,
                                     m_options.config.positions.ignoreInvalidYaml);
    if (!positions)
        return positions.status();
    m_positions = std::make_unique<Positions>(std::move(*positions));

    for (const auto& scrape : m_options.config.scrapeConfigs) {
        auto job = std::make_unique<Job>();
        job->config = &scrape;
        if (m_options.pipelineFactory) {
            job->pipeline = m_options.pipelineFactory(scrape);
            job->passThrough = false;
        } else {
            config::ConfigErrors errors("pipeline");
            job->pipeline =
                pipeline::parsePipeline(scrape.pipelineStages, scrape.pipelinePath, errors);
            if (!job->pipeline)
                return errors.toStatus().withContext("job " + scrape.jobName);
            job->passThrough = !scrape.pipelineStages || scrape.pipelineStages.IsNull() ||
                               scrape.pipelineStages.size() == 0;
        }
        for (const auto& staticConfig : scrape.staticConfigs) {
            std::vector<model::Label> list;
            for (const auto& [name, value] : staticConfig.labels)
                list.push_back({name, expandHostname(value)});
            auto relabeled = scrape::relabel(model::Labels::fromUnsorted(std::move(list)),
                                             scrape.relabelConfigs);
            if (!relabeled)
                continue;  // dropped by relabeling, as in Promtail
            Job::Target target;
            for (const auto& label : *relabeled)
                target.labels[std::string(label.name)] = std::string(label.value);
            target.include = target.labels["__path__"];
            auto exclude = target.labels.find("__path_exclude__");
            if (exclude != target.labels.end())
                target.exclude = exclude->second;
            if (!target.include.empty())
                job->targets.push_back(std::move(target));
        }
        if (scrape.journal) {
            config::JournalConfig journal = *scrape.journal;
            for (auto& [name, value] : journal.labels)
                value = expandHostname(value);
            job->journal = std::make_unique<JournalSource>(scrape.jobName, std::move(journal),
                                                           m_options.journalctl);
            job->journalCommitted =
                m_positions->get(journalPositionKey(scrape.jobName)).value_or("");
            Status started = job->journal->start(job->journalCommitted);
            if (!started.isOk())
                qCInfo(lcTailer).noquote() << QString::fromStdString(
                    "journal job " + scrape.jobName + ": " + started.message());
        }
        m_jobs.push_back(std::move(job));
    }

    m_inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);  // -1: the poll alone
    m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return Status::ok();
}

void Tailer::openFile(const std::string& path, Job& job,
                      const std::map<std::string, std::string>& labels, bool initial) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;  // unreadable (permissions) or gone: the next discovery retries
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return;
    }
    auto file = std::make_unique<TailedFile>();
    file->path = path;
    file->job = &job;
    file->fd = fd;
    file->dev = st.st_dev;
    file->ino = st.st_ino;
    file->size = static_cast<std::uint64_t>(st.st_size);
    std::uint64_t offset = 0;
    if (auto rotated = m_rotated.find({st.st_dev, st.st_ino}); rotated != m_rotated.end()) {
        offset = rotated->second;  // the same file under its rotated name
        m_rotated.erase(rotated);
    } else if (auto saved = m_positions->offset(path)) {
        offset = *saved;
    }
    if (offset > file->size)
        offset = 0;  // truncated while we did not look
    (void)initial;
    file->nextRead = file->lineStart = file->committed = offset;
    file->labelMap = labels;
    file->labelMap["filename"] = path;
    file->labels = pipeline::streamLabels(pipeline::Entry{file->labelMap, {}, 0, {}});
    if (auto* registry = m_options.metrics) {
        const model::Labels pathLabel = model::Labels::fromSorted({{"path", path}});
        file->readBytes = &registry->counter("vigil_logs_tailer_read_bytes_total",
                                             "Bytes read from each tailed file.", pathLabel);
        file->readLines = &registry->counter("vigil_logs_tailer_read_lines_total",
                                             "Lines read from each tailed file.", pathLabel);
    }
    m_positions->setOffset(path, offset);
    m_files.emplace(path, std::move(file));
}

void Tailer::discover() {
    std::set<std::string> matched;
    for (auto& job : m_jobs) {
        for (const auto& target : job->targets) {
            for (const auto& path : expandGlob(target.include)) {
                if (!target.exclude.empty() && globMatch(target.exclude, path))
                    continue;
                if (isCompressed(path) || path == m_options.positionsFile)
                    continue;
                if (!matched.insert(path).second)
                    continue;  // an earlier job follows it
                if (!m_files.count(path))
                    openFile(path, *job, target.labels, m_firstDiscovery);
            }
        }
    }
    if (m_firstDiscovery) {
        // Positions of files that are gone or no longer matched.
        std::vector<std::string> stale;
        for (const auto& [key, value] : m_positions->entries()) {
            (void)value;
            if (key.rfind("journal-", 0) != 0 && !m_files.count(key))
                stale.push_back(key);
        }
        for (const auto& key : stale)
            m_positions->remove(key);
        m_firstDiscovery = false;
    }
    if (m_rotated.size() > 1024)
        m_rotated.clear();
    updateWatches();
}

void Tailer::updateWatches() {
    if (m_inotify < 0)
        return;
    std::set<std::string> dirs;
    for (const auto& job : m_jobs) {
        for (const auto& target : job->targets)
            dirs.insert(globBaseDir(target.include));
    }
    for (const auto& [path, file] : m_files)
        dirs.insert(parentDir(path));
    for (const auto& dir : dirs) {
        if (m_watchedDirs.count(dir))
            continue;
        if (inotify_add_watch(m_inotify, dir.c_str(),
                              IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                  IN_DELETE_SELF | IN_MOVE_SELF) >= 0) {
            m_watchedDirs.insert(dir);
        }
    }
}

void Tailer::emitLine(TailedFile& file, std::string_view line, TimestampNs ts, Batch& batch) {
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line.size() > m_options.maxLineLength) {
        line = line.substr(0, m_options.maxLineLength);
        ++m_truncated;
        if (m_truncatedCounter)
            m_truncatedCounter->inc();
    }
    ++m_linesRead;
    Job& job = *file.job;
    if (job.passThrough) {
        if (file.batchGen != batch.generation) {
            file.batchGen = batch.generation;
            auto [it, inserted] = batch.byLabels.try_emplace(file.labels, batch.streams.size());
            if (inserted)
                batch.streams.push_back(LogStream{file.labels, {}});
            file.batchStream = it->second;
            file.batchCommit = kNoSlot;
        }
        batch.streams[file.batchStream].entries.push_back(LogEntry{ts, std::string(line), {}});
        batch.bytes += line.size();
        ++batch.entries;
        return;
    }
    pipeline::Entry entry;
    entry.labels = file.labelMap;
    entry.tsNs = ts;
    entry.line.assign(line);
    addEntry(job, std::move(entry), batch);
}

void Tailer::addEntry(Job& job, pipeline::Entry&& entry, Batch& batch) {
    std::vector<pipeline::Entry> out;
    job.pipeline->process(std::move(entry), out);
    constexpr std::size_t kMaxKnownLabelMaps = 64;
    for (auto& e : out) {
        std::size_t hash = e.labels.size();
        for (const auto& [name, value] : e.labels) {
            hash = hash * 31 + std::hash<std::string_view>{}(name);
            hash = hash * 31 + std::hash<std::string_view>{}(value);
        }
        std::size_t stream = kNoSlot;
        // Linear: a job's pipeline yields few label sets per batch.
        for (const auto& known : batch.knownLabelMaps) {
            if (known.hash == hash && known.labels == e.labels) {
                stream = known.stream;
                break;
            }
        }
        if (stream == kNoSlot) {
            model::Labels labels = pipeline::streamLabels(e);
            auto [it, inserted] = batch.byLabels.try_emplace(labels, batch.streams.size());
            if (inserted)
                batch.streams.push_back(LogStream{std::move(labels), {}});
            stream = it->second;
            if (batch.knownLabelMaps.size() < kMaxKnownLabelMaps)
                batch.knownLabelMaps.push_back({hash, e.labels, stream});
        }
        batch.bytes += e.line.size();
        ++batch.entries;
        model::Labels metadata;
        if (!e.structuredMetadata.empty()) {
            model::LabelsBuilder builder;
            for (const auto& [name, value] : e.structuredMetadata)
                builder.set(name, value);
            metadata = builder.labels();
        }
        batch.streams[stream].entries.push_back(
            LogEntry{e.tsNs, std::move(e.line), std::move(metadata)});
    }
}

void Tailer::readFile(TailedFile& file, Batch& batch, bool final) {
    if (file.fd < 0 || batch.storeDown)
        return;
    auto noteCommit = [&] {
        if (file.batchGen != batch.generation) {
            file.batchGen = batch.generation;
            file.batchStream = kNoSlot;
            file.batchCommit = kNoSlot;
        }
        if (file.batchCommit == kNoSlot) {
            file.batchCommit = batch.fileCommits.size();
            batch.fileCommits.emplace_back(&file, file.lineStart);
        } else {
            batch.fileCommits[file.batchCommit].second = file.lineStart;
        }
    };
    char* buffer = m_readBuffer.data();
    const std::uint64_t readStart = file.nextRead;
    for (;;) {
        const ssize_t n = pread(file.fd, buffer, kReadChunk, static_cast<off_t>(file.nextRead));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            file.error = std::string("read: ") + std::strerror(errno);
            break;
        }
        if (n == 0)
            break;
        const std::uint64_t chunkStart = file.nextRead;
        file.nextRead += static_cast<std::uint64_t>(n);
        if (file.readBytes)
            file.readBytes->inc(static_cast<double>(n));
        const TimestampNs ts = std::max(nowNs(), file.lastTs);
        file.lastTs = ts;
        const std::uint64_t linesBefore = m_linesRead;
        const char* p = buffer;
        const char* end = buffer + n;
        while (p < end) {
            const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
            if (!nl)
                break;
            const std::string_view segment(p, static_cast<std::size_t>(nl - p));
            if (file.partial.empty() && !file.partialTruncated) {
                emitLine(file, segment, ts, batch);
            } else {
                const std::size_t room = m_options.maxLineLength + 1 > file.partial.size()
                                             ? m_options.maxLineLength + 1 - file.partial.size()
                                             : 0;
                file.partial.append(segment.substr(0, std::min(room, segment.size())));
                if (file.partialTruncated && file.partial.size() <= m_options.maxLineLength) {
                    ++m_truncated;  // emitLine() does not see the dropped bytes
                    if (m_truncatedCounter)
                        m_truncatedCounter->inc();
                }
                emitLine(file, file.partial, ts, batch);
                file.partial.clear();
                file.partialTruncated = false;
            }
            file.lineStart = chunkStart + static_cast<std::uint64_t>(nl - buffer) + 1;
            p = nl + 1;
        }
        if (p < end) {  // a partial last line: keep it until its newline comes
            const std::size_t rest = static_cast<std::size_t>(end - p);
            const std::size_t limit = m_options.maxLineLength + 1;
            const std::size_t room = limit > file.partial.size() ? limit - file.partial.size() : 0;
            file.partial.append(p, std::min(room, rest));
            if (rest > room)
                file.partialTruncated = true;
        }
        if (file.readLines && m_linesRead != linesBefore)
            file.readLines->inc(static_cast<double>(m_linesRead - linesBefore));
        noteCommit();
        if (batch.bytes >= m_options.maxBatchBytes && !flush(batch))
            return;
        if (static_cast<std::size_t>(n) < kReadChunk)
            break;
        if (!final && file.nextRead - readStart >= kMaxBytesPerPoll) {
            // A large backlog: the rest at the next poll, which comes at
            // once, so that other files, the journal and stop() get a turn.
            m_moreToRead = true;
            break;
        }
    }
    if (final && (!file.partial.empty() || file.partialTruncated)) {
        const TimestampNs ts = std::max(nowNs(), file.lastTs);
        emitLine(file, file.partial, ts, batch);
        file.partial.clear();
        file.partialTruncated = false;
        file.lineStart = file.nextRead;
        noteCommit();
    }
}

void Tailer::rememberRotated(const TailedFile& file) {
    // Only a file still linked under another name: a deleted file's inode
    // number may be reused by a new file, which must be read from 0.
    struct stat st {};
    if (file.fd >= 0 && fstat(file.fd, &st) == 0 && st.st_nlink > 0)
        m_rotated[{file.dev, file.ino}] = file.nextRead;
}

void Tailer::checkRotation(TailedFile& file, Batch& batch, std::vector<std::string>& closed) {
    struct stat st {};
    if (::stat(file.path.c_str(), &st) != 0) {
        // Deleted or renamed away: what was written before is still ours.
        readFile(file, batch, true);
        rememberRotated(file);
        closed.push_back(file.path);
        return;
    }
    if (st.st_ino != file.ino || st.st_dev != file.dev) {
        // Rename-and-create rotation: finish the old file, then the new one from 0.
        readFile(file, batch, true);
        if (!flush(batch))
            return;  // the store is down; rotation is handled at the next poll
        rememberRotated(file);
        const int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat newSt {};
        if (fd < 0 || fstat(fd, &newSt) != 0) {
            if (fd >= 0)
                ::close(fd);
            closed.push_back(file.path);
            return;
        }
        ::close(file.fd);
        file.fd = fd;
        file.dev = newSt.st_dev;
        file.ino = newSt.st_ino;
        file.nextRead = file.lineStart = file.committed = 0;
        file.size = static_cast<std::uint64_t>(newSt.st_size);
        m_positions->setOffset(file.path, 0);
        return;
    }
    file.size = static_cast<std::uint64_t>(st.st_size);
    if (file.size < file.nextRead) {
        // Copy-truncate: the file was cut below what we read; start over.
        if (!file.partial.empty() || file.partialTruncated) {
            const TimestampNs ts = std::max(nowNs(), file.lastTs);
            emitLine(file, file.partial, ts, batch);
            file.partial.clear();
            file.partialTruncated = false;
            file.lineStart = file.nextRead;
            if (file.batchGen == batch.generation && file.batchCommit != kNoSlot)
                batch.fileCommits[file.batchCommit].second = file.lineStart;
            else {
                file.batchGen = batch.generation;
                file.batchStream = kNoSlot;
                file.batchCommit = batch.fileCommits.size();
                batch.fileCommits.emplace_back(&file, file.lineStart);
            }
        }
        if (!flush(batch))
            return;
        file.nextRead = file.lineStart = file.committed = 0;
        m_positions->setOffset(file.path, 0);
    }
}

void Tailer::readJournals(Batch& batch) {
    const auto now = std::chrono::steady_clock::now();
    for (auto& jobPtr : m_jobs) {
        Job& job = *jobPtr;
        if (!job.journal || batch.storeDown)
            continue;
        if (!job.journal->running()) {
            if (now >= job.journal->restartAt())
                (void)job.journal->start(job.journalCommitted);
            continue;
        }
        job.journal->read(
            [&](JournalRecord&& record) {
                model::LabelsBuilder builder(record.labels);
                if (scrape::relabelInPlace(builder, job.config->relabelConfigs)) {
                    for (const auto& [name, value] : job.journal->config().labels)
                        builder.set(name, value);
                    pipeline::Entry entry;
                    for (const auto& label : builder.labels())
                        entry.labels.emplace(std::string(label.name), std::string(label.value));
                    entry.tsNs = record.tsNs;
                    entry.line = std::move(record.line);
                    if (entry.line.size() > m_options.maxLineLength)
                        entry.line.resize(m_options.maxLineLength);
                    ++m_linesRead;
                    addEntry(job, std::move(entry), batch);
                }
                if (job.batchGen != batch.generation) {
                    job.batchGen = batch.generation;
                    job.batchCommit = batch.journalCommits.size();
                    batch.journalCommits.emplace_back(&job, record.cursor);
                } else {
                    batch.journalCommits[job.batchCommit].second = record.cursor;
                }
            },
            m_options.maxLineLength);
    }
}

bool Tailer::flush(Batch& batch) {
    if (batch.storeDown)
        return false;
    if (batch.entries > 0) {
        const LogWriter::PushResult result = m_writer.push(batch.streams);
        if (result.accepted == 0 && result.rejected > 0 &&
            result.firstRejection == LogRejection::kNone) {
            // The store is unavailable (stopped): nothing advances; the lines
            // are read again at the next poll.
            batch.storeDown = true;
            rewind(batch);
            return false;
        }
        if (result.rejected > 0) {
            m_dropped += result.rejected;
            if (m_droppedCounter)
                m_droppedCounter->inc(static_cast<double>(result.rejected));
            qCDebug(lcTailer).noquote() << QString::fromStdString(result.firstError);
        }
        batch.pushedLines += batch.entries;
    }
    for (auto& [file, offset] : batch.fileCommits) {
        file->committed = offset;
        m_positions->setOffset(file->path, offset);
    }
    for (auto& [job, cursor] : batch.journalCommits) {
        job->journalCommitted = cursor;
        m_positions->set(journalPositionKey(job->config->jobName), cursor);
    }
    const std::size_t pushed = batch.pushedLines;
    batch.clear();
    batch.generation = ++m_generation;
    batch.pushedLines = pushed;
    return true;
}

void Tailer::rewind(Batch& batch) {
    for (auto& [file, offset] : batch.fileCommits) {
        (void)offset;
        file->nextRead = file->lineStart = file->committed;
        file->partial.clear();
        file->partialTruncated = false;
    }
    for (auto& [job, cursor] : batch.journalCommits) {
        (void)cursor;
        job->journal->stop();
        (void)job->journal->start(job->journalCommitted);
    }
    // Entries the pipelines released in this batch are lost, as in Promtail.
}

std::size_t Tailer::poll(bool discoverFiles) {
    Batch batch;
    batch.generation = ++m_generation;
    m_moreToRead = false;
    // Rotations first, so that a rotated file that a glob also matches under
    // its new name is known (m_rotated) before discovery finds it.
    std::vector<std::string> closed;
    for (auto& [path, file] : m_files) {
        (void)path;
        checkRotation(*file, batch, closed);
    }
    if (discoverFiles)
        discover();
    for (auto& [path, file] : m_files) {
        if (std::find(closed.begin(), closed.end(), path) == closed.end())
            readFile(*file, batch, false);
    }
    readJournals(batch);
    std::vector<pipeline::Entry> held;
    for (auto& job : m_jobs) {
        if (job->passThrough)
            continue;
        held.clear();
        job->pipeline->flush(nowNs(), false, held);
        for (auto& entry : held) {
            model::Labels labels = pipeline::streamLabels(entry);
            auto [it, inserted] = batch.byLabels.try_emplace(labels, batch.streams.size());
            if (inserted)
                batch.streams.push_back(LogStream{std::move(labels), {}});
            batch.bytes += entry.line.size();
            ++batch.entries;
            batch.streams[it->second].entries.push_back(
                LogEntry{entry.tsNs, std::move(entry.line), {}});
        }
    }
    flush(batch);
    for (const auto& path : closed) {
        m_files.erase(path);
        m_positions->remove(path);
    }
    if (m_filesActive)
        m_filesActive->set(static_cast<double>(m_files.size()));
    if (discoverFiles || !closed.empty())
        updateTargets();
    return batch.pushedLines;
}

Status Tailer::close() {
    Batch batch;
    batch.generation = ++m_generation;
    std::vector<pipeline::Entry> held;
    for (auto& job : m_jobs) {
        if (job->journal)
            job->journal->stop();
        held.clear();
        job->pipeline->flush(nowNs(), true, held);
        for (auto& entry : held) {
            model::Labels labels = pipeline::streamLabels(entry);
            auto [it, inserted] = batch.byLabels.try_emplace(labels, batch.streams.size());
            if (inserted)
                batch.streams.push_back(LogStream{std::move(labels), {}});
            ++batch.entries;
            batch.streams[it->second].entries.push_back(
                LogEntry{entry.tsNs, std::move(entry.line), {}});
        }
    }
    flush(batch);
    m_files.clear();
    return savePositions();
}

Status Tailer::savePositions() {
    if (!m_positions || !m_positions->dirty())
        return Status::ok();
    return m_positions->save();
}

void Tailer::wake() {
    if (m_wakeFd >= 0) {
        const std::uint64_t one = 1;
        (void)!::write(m_wakeFd, &one, sizeof one);
    }
}

void Tailer::run(const std::atomic<bool>& stop) {
    using Clock = std::chrono::steady_clock;
    const auto minPoll = m_options.config.fileWatch.minPollFrequency;
    const auto maxPoll = std::max(minPoll, m_options.config.fileWatch.maxPollFrequency);
    auto pollPeriod = minPoll;
    const auto syncPeriod = m_options.config.positions.syncPeriod;
    auto nextDiscover = Clock::now();
    auto nextSync = Clock::now() + syncPeriod;
    std::vector<pollfd> fds;
    alignas(inotify_event) char events[16384];
    bool structural = true;
    while (!stop.load()) {
        auto now = Clock::now();
        const bool discoverNow = structural || now >= nextDiscover;
        const std::size_t pushed = poll(discoverNow);
        now = Clock::now();
        // Promtail's file_watch_config: the period grows from min to max
        // while nothing changes and drops back to min on news (inotify
        // makes the period matter only where inotify cannot see).
        if (discoverNow) {
            pollPeriod = pushed > 0 || structural ? minPoll : std::min(pollPeriod * 2, maxPoll);
            nextDiscover = now + pollPeriod;
        }
        if (now >= nextSync) {
            if (Status s = savePositions(); !s.isOk())
                qCWarning(lcTailer).noquote() << QString::fromStdString(s.message());
            nextSync = now + syncPeriod;
        }
        fds.clear();
        fds.push_back({m_wakeFd, POLLIN, 0});
        if (m_inotify >= 0)
            fds.push_back({m_inotify, POLLIN, 0});
        for (const auto& job : m_jobs) {
            if (job->journal && job->journal->fd() >= 0)
                fds.push_back({job->journal->fd(), POLLIN, 0});
        }
        const auto wait = std::min(nextDiscover, nextSync) - Clock::now();
        const int timeoutMs =
            m_moreToRead
                ? 0
                : static_cast<int>(std::clamp<std::int64_t>(
                      std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() + 1, 0,
                      60000));
        ::poll(fds.data(), fds.size(), timeoutMs);
        std::uint64_t drained = 0;
        (void)!::read(m_wakeFd, &drained, sizeof drained);
        structural = false;
        if (m_inotify >= 0) {
            for (;;) {
                const ssize_t n = ::read(m_inotify, events, sizeof events);
                if (n <= 0)
                    break;
                for (ssize_t off = 0; off < n;) {
                    const auto* event = reinterpret_cast<const inotify_event*>(events + off);
                    if (event->mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                       IN_Q_OVERFLOW | IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
                        structural = true;
                    if (event->mask & IN_IGNORED) {
                        // The directory is gone; watch it again when it comes back.
                        m_watchedDirs.clear();
                    }
                    off += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
                }
            }
        }
    }
}

void Tailer::updateTargets() {
    std::vector<LogTargetInfo> targets;
    for (const auto& [path, file] : m_files) {
        LogTargetInfo info;
        info.job = file->job->config->jobName;
        info.path = path;
        info.labels = file->labels;
        info.position = file->committed;
        info.size = file->size;
        info.error = file->error;
        targets.push_back(std::move(info));
    }
    for (const auto& job : m_jobs) {
        if (!job->journal)
            continue;
        LogTargetInfo info;
        info.job = job->config->jobName;
        info.path = job->journal->config().path.empty() ? std::string("journal")
                                                        : "journal " + job->journal->config().path;
        model::LabelsBuilder builder;
        for (const auto& [name, value] : job->journal->config().labels)
            builder.set(name, value);
        info.labels = builder.labels();
        info.cursor = job->journalCommitted;
        info.error = job->journal->error();
        targets.push_back(std::move(info));
    }
    std::lock_guard lock(m_targetsMutex);
    m_targets = std::move(targets);
}

std::vector<LogTargetInfo> Tailer::targets() const {
    std::lock_guard lock(m_targetsMutex);
    return m_targets;
}

}  // namespace vigil::logs::tail

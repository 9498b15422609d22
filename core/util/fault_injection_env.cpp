#include "core/util/fault_injection_env.h"

#include <algorithm>
#include <vector>

namespace vigil {
namespace {

std::string parentDir(const std::string& path) {
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}

std::string normalizedDir(std::string dir) {
    while (dir.size() > 1 && dir.back() == '/')
        dir.pop_back();
    return dir;
}

}  // namespace

// Writes through to the target file and flushes after every append, so the
// bytes the env accounts for are exactly the bytes the OS has: nothing is left
// in a user-space buffer that could reach the disk after a simulated crash.
class FaultInjectionEnv::File final : public WritableFile {
public:
    File(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> target,
         std::uint64_t generation)
        : m_env(env),
          m_path(std::move(path)),
          m_target(std::move(target)),
          m_generation(generation) {}

    Status append(std::string_view data) override { return m_env->fileAppend(*this, data); }
    Status flush() override {
        std::lock_guard lock(m_env->m_mutex);
        if (Status s = check(); !s)
            return s;
        return m_target->flush();
    }
    Status sync() override { return m_env->fileSync(*this); }
    Status close() override {
        std::lock_guard lock(m_env->m_mutex);
        if (m_generation != m_env->m_generation)
            return Status::ioError(m_path + ": close: file handle predates a simulated power loss");
        return m_target->close();
    }
    const std::string& path() const override { return m_path; }

    // REQUIRES: m_env->m_mutex held.
    Status check() const {
        if (m_generation != m_env->m_generation)
            return Status::ioError(m_path + ": file handle predates a simulated power loss");
        if (m_env->m_crashed)
            return m_env->crashedError(m_path);
        return Status::ok();
    }

    FaultInjectionEnv* m_env;
    std::string m_path;
    std::unique_ptr<WritableFile> m_target;
    std::uint64_t m_generation;
};

FaultInjectionEnv::FaultInjectionEnv(Env* target) : EnvWrapper(target) {}
FaultInjectionEnv::~FaultInjectionEnv() = default;

void FaultInjectionEnv::setSyncFailure(bool fail) {
    std::lock_guard lock(m_mutex);
    m_syncFailure = fail;
}

void FaultInjectionEnv::setNoSpaceAfter(std::uint64_t bytes) {
    std::lock_guard lock(m_mutex);
    m_spaceLeft = bytes;
}

void FaultInjectionEnv::tearNextWrite(std::size_t keepBytes) {
    std::lock_guard lock(m_mutex);
    m_tearKeep = keepBytes;
}

bool FaultInjectionEnv::crashed() const {
    std::lock_guard lock(m_mutex);
    return m_crashed;
}

void FaultInjectionEnv::resetFaults() {
    std::lock_guard lock(m_mutex);
    m_syncFailure = false;
    m_spaceLeft.reset();
    m_tearKeep.reset();
    m_crashed = false;
}

std::uint64_t FaultInjectionEnv::bytesWritten() const {
    std::lock_guard lock(m_mutex);
    return m_bytesWritten;
}

Status FaultInjectionEnv::crashedError(const std::string& path) const {
    return Status::ioError(path + ": simulated crash: the process is gone");
}

Status FaultInjectionEnv::fileAppend(File& file, std::string_view data) {
    std::lock_guard lock(m_mutex);
    if (Status s = file.check(); !s)
        return s;
    FileState& state = m_files[file.m_path];

    std::string_view written = data;
    Status fault;
    if (m_tearKeep) {
        written = data.substr(0, std::min(*m_tearKeep, data.size()));
        m_tearKeep.reset();
        m_crashed = true;
        fault = Status::ioError(file.m_path + ": write: simulated crash after " +
                                std::to_string(written.size()) + " of " +
                                std::to_string(data.size()) + " bytes");
    } else if (m_spaceLeft && *m_spaceLeft < data.size()) {
        written = data.substr(0, static_cast<std::size_t>(*m_spaceLeft));
        fault = Status::error(Status::Code::kResourceExhausted,
                              file.m_path + ": write: No space left on device (injected)");
    }
    if (!written.empty()) {
        Status s = file.m_target->append(written);
        if (s)
            s = file.m_target->flush();
        if (!s)
            return s;
        state.size += written.size();
        m_bytesWritten += written.size();
        if (m_spaceLeft)
            *m_spaceLeft -= std::min<std::uint64_t>(*m_spaceLeft, written.size());
    }
    return fault;
}

Status FaultInjectionEnv::fileSync(File& file) {
    std::lock_guard lock(m_mutex);
    if (Status s = file.check(); !s)
        return s;
    if (m_syncFailure)
        return Status::ioError(file.m_path + ": fdatasync: Input/output error (injected)");
    if (Status s = file.m_target->sync(); !s)
        return s;
    FileState& state = m_files[file.m_path];
    state.synced = state.size;
    return Status::ok();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::open(const std::string& path,
                                                              bool append) {
    std::lock_guard lock(m_mutex);
    if (m_crashed)
        return crashedError(path);
    bool existed = target()->fileExists(path);
    std::uint64_t size = 0;
    if (append && existed) {
        auto sz = target()->getFileSize(path);
        if (!sz)
            return sz.status();
        size = *sz;
    }
    auto file = append ? target()->newAppendableFile(path) : target()->newWritableFile(path);
    if (!file)
        return file.status();
    FileState& state = m_files[path];
    if (!existed)
        state.newSinceDirSync = true;
    // Content that was there before is treated as durable; a truncation is not.
    state.size = size;
    state.synced = append ? size : std::min(state.synced, size);
    return std::unique_ptr<WritableFile>(new File(this, path, std::move(*file), m_generation));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::newWritableFile(const std::string& path) {
    return open(path, false);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::newAppendableFile(
    const std::string& path) {
    return open(path, true);
}

Status FaultInjectionEnv::removeFile(const std::string& path) {
    std::lock_guard lock(m_mutex);
    if (m_crashed)
        return crashedError(path);
    Status s = target()->removeFile(path);
    if (s)
        m_files.erase(path);
    return s;
}

Status FaultInjectionEnv::createDir(const std::string& path) {
    std::lock_guard lock(m_mutex);
    if (m_crashed)
        return crashedError(path);
    return target()->createDir(path);
}

Status FaultInjectionEnv::removeDir(const std::string& path) {
    std::lock_guard lock(m_mutex);
    if (m_crashed)
        return crashedError(path);
    return target()->removeDir(path);
}

Status FaultInjectionEnv::renameFile(const std::string& from, const std::string& to) {
    std::lock_guard lock(m_mutex);
    if (m_crashed)
        return crashedError(from);
    Status s = target()->renameFile(from, to);
    if (!s)
        return s;
    // Re-key the renamed file, or everything below a renamed directory.
    // The new name of a renamed file is not durable before syncDir().
    std::vector<std::pair<std::string, FileState>> moved;
    std::string prefix = from + "/";
    for (auto it = m_files.begin(); it != m_files.end();) {
        if (it->first == from) {
            moved.emplace_back(to, it->second);
            it = m_files.erase(it);
        } else if (it->first.compare(0, prefix.size(), prefix) == 0) {
            moved.emplace_back(to + "/" + it->first.substr(prefix.size()), it->second);
            it = m_files.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& [path, state] : moved) {
        if (path == to)
            state.newSinceDirSync = true;  // the new name is not durable before syncDir
        m_files[path] = state;
    }
    return s;
}

Status FaultInjectionEnv::truncateFile(const std::string& path, std::uint64_t size) {
    std::lock_guard lock(m_mutex);
    if (m_crashed)
        return crashedError(path);
    Status s = target()->truncateFile(path, size);
    if (s) {
        auto it = m_files.find(path);
        if (it != m_files.end()) {
            it->second.size = std::min(it->second.size, size);
            it->second.synced = std::min(it->second.synced, size);
        }
    }
    return s;
}

Status FaultInjectionEnv::syncDir(const std::string& dir) {
    std::lock_guard lock(m_mutex);
    if (m_crashed)
        return crashedError(dir);
    if (m_syncFailure)
        return Status::ioError(dir + ": fsync: Input/output error (injected)");
    if (Status s = target()->syncDir(dir); !s)
        return s;
    std::string d = normalizedDir(dir);
    for (auto& [path, state] : m_files) {
        if (parentDir(path) == d)
            state.newSinceDirSync = false;
    }
    return Status::ok();
}

Status FaultInjectionEnv::dropUnsyncedData() {
    std::lock_guard lock(m_mutex);
    ++m_generation;
    m_syncFailure = false;
    m_spaceLeft.reset();
    m_tearKeep.reset();
    m_crashed = false;
    for (auto it = m_files.begin(); it != m_files.end();) {
        const std::string& path = it->first;
        FileState& state = it->second;
        if (!target()->fileExists(path)) {
            it = m_files.erase(it);
            continue;
        }
        if (state.newSinceDirSync) {
            if (Status s = target()->removeFile(path); !s)
                return s.withContext("dropping unsynced file");
            it = m_files.erase(it);
            continue;
        }
        auto size = target()->getFileSize(path);
        if (!size)
            return size.status();
        if (*size > state.synced) {
            if (Status s = target()->truncateFile(path, state.synced); !s)
                return s.withContext("dropping unsynced data");
        }
        state.size = state.synced;
        ++it;
    }
    return Status::ok();
}

}  // namespace vigil

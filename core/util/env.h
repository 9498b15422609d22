#pragma once

// The file-system seam (LevelDB's Env). Every file access of the storage code
// goes through an Env so that tests can substitute a fault-injecting one
// (fault_injection_env.h) for the real POSIX file system.
//
// Errors are Status values whose message names the path and carries the
// errno text ("/data/wal/00000003: write: No space left on device").
// ENOSPC is reported with code kResourceExhausted, every other failure of the
// operating system with kIoError, a missing file with kNotFound.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/status.h"

namespace vigil {

// A file being written sequentially.
// Not thread-safe: one writer at a time (callers serialize).
class WritableFile {
public:
    WritableFile() = default;
    WritableFile(const WritableFile&) = delete;
    WritableFile& operator=(const WritableFile&) = delete;
    // Closes the file if close() was not called; buffered data is flushed on a
    // best-effort basis and errors are lost. Call close() to see them.
    virtual ~WritableFile() = default;

    // Appends `data`. The data may stay in a user-space buffer until flush().
    virtual Status append(std::string_view data) = 0;
    // Hands buffered data to the operating system: it then survives a crash of
    // the process, but not a power loss.
    virtual Status flush() = 0;
    // flush() and then make the data durable (fdatasync). After a failed sync
    // the state of unsynced data is unknown; callers must not retry and assume
    // success (Linux may drop the dirty pages, "fsyncgate").
    virtual Status sync() = 0;
    // flush() and close. Further calls fail.
    virtual Status close() = 0;

    virtual const std::string& path() const = 0;
};

// A file read from the start to the end. Not thread-safe.
class SequentialFile {
public:
    SequentialFile() = default;
    SequentialFile(const SequentialFile&) = delete;
    SequentialFile& operator=(const SequentialFile&) = delete;
    virtual ~SequentialFile() = default;

    // Reads up to `n` bytes into `scratch` and returns how many were read.
    // Fewer than `n` only at the end of the file; 0 means end of file.
    virtual Result<std::size_t> read(char* scratch, std::size_t n) = 0;
    // Skips `n` bytes (skipping past the end leaves the file at its end).
    virtual Status skip(std::uint64_t n) = 0;

    virtual const std::string& path() const = 0;
};

// A file read at arbitrary offsets. Thread-safe: read() may be called
// concurrently.
class RandomAccessFile {
public:
    RandomAccessFile() = default;
    RandomAccessFile(const RandomAccessFile&) = delete;
    RandomAccessFile& operator=(const RandomAccessFile&) = delete;
    virtual ~RandomAccessFile() = default;

    // Reads up to `n` bytes at `offset`. The result points either into
    // `scratch` (which must hold `n` bytes) or into a memory mapping owned by
    // the file; it is valid while both the file and `scratch` live. A result
    // shorter than `n` means the end of the file was reached.
    virtual Result<std::string_view> read(std::uint64_t offset, std::size_t n,
                                          char* scratch) const = 0;
    virtual std::uint64_t size() const = 0;
    virtual const std::string& path() const = 0;
};

// An advisory lock on a file, held until the object is destroyed.
class FileLock {
public:
    FileLock() = default;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    virtual ~FileLock() = default;
};

// The file system. Implementations are thread-safe.
class Env {
public:
    Env() = default;
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;
    virtual ~Env() = default;

    // The real file system. Never destroyed; thread-safe.
    static Env* posix();

    // Creates `path`, truncating it if it exists.
    virtual Result<std::unique_ptr<WritableFile>> newWritableFile(const std::string& path) = 0;
    // Opens `path` for appending, creating it if it does not exist.
    virtual Result<std::unique_ptr<WritableFile>> newAppendableFile(const std::string& path) = 0;
    virtual Result<std::unique_ptr<SequentialFile>> newSequentialFile(const std::string& path) = 0;
    // Memory-maps the file when it can, reads with pread otherwise.
    virtual Result<std::unique_ptr<RandomAccessFile>> newRandomAccessFile(
        const std::string& path) = 0;

    virtual bool fileExists(const std::string& path) = 0;
    virtual bool isDirectory(const std::string& path) = 0;
    // The names (not paths) of the entries of `dir`, without "." and "..", sorted.
    virtual Result<std::vector<std::string>> getChildren(const std::string& dir) = 0;
    virtual Status removeFile(const std::string& path) = 0;
    // Creates one directory level; succeeds if `path` already is a directory.
    virtual Status createDir(const std::string& path) = 0;
    // Removes an empty directory.
    virtual Status removeDir(const std::string& path) = 0;
    virtual Result<std::uint64_t> getFileSize(const std::string& path) = 0;
    // Atomically replaces `to` by `from` (rename(2)); works for directories.
    virtual Status renameFile(const std::string& from, const std::string& to) = 0;
    virtual Status truncateFile(const std::string& path, std::uint64_t size) = 0;
    // Makes the entries of `dir` durable (created, removed or renamed files).
    virtual Status syncDir(const std::string& dir) = 0;
    // Takes an exclusive advisory lock on `path` (created if missing). Fails
    // with kUnavailable if another process or another lock object holds it.
    virtual Result<std::unique_ptr<FileLock>> lockFile(const std::string& path) = 0;
};

// An Env that forwards every call to another; subclasses override what they
// change. `target` must outlive the wrapper.
class EnvWrapper : public Env {
public:
    explicit EnvWrapper(Env* target) : m_target(target) {}
    Env* target() const { return m_target; }

    Result<std::unique_ptr<WritableFile>> newWritableFile(const std::string& path) override {
        return m_target->newWritableFile(path);
    }
    Result<std::unique_ptr<WritableFile>> newAppendableFile(const std::string& path) override {
        return m_target->newAppendableFile(path);
    }
    Result<std::unique_ptr<SequentialFile>> newSequentialFile(const std::string& path) override {
        return m_target->newSequentialFile(path);
    }
    Result<std::unique_ptr<RandomAccessFile>> newRandomAccessFile(
        const std::string& path) override {
        return m_target->newRandomAccessFile(path);
    }
    bool fileExists(const std::string& path) override { return m_target->fileExists(path); }
    bool isDirectory(const std::string& path) override { return m_target->isDirectory(path); }
    Result<std::vector<std::string>> getChildren(const std::string& dir) override {
        return m_target->getChildren(dir);
    }
    Status removeFile(const std::string& path) override { return m_target->removeFile(path); }
    Status createDir(const std::string& path) override { return m_target->createDir(path); }
    Status removeDir(const std::string& path) override { return m_target->removeDir(path); }
    Result<std::uint64_t> getFileSize(const std::string& path) override {
        return m_target->getFileSize(path);
    }
    Status renameFile(const std::string& from, const std::string& to) override {
        return m_target->renameFile(from, to);
    }
    Status truncateFile(const std::string& path, std::uint64_t size) override {
        return m_target->truncateFile(path, size);
    }
    Status syncDir(const std::string& dir) override { return m_target->syncDir(dir); }
    Result<std::unique_ptr<FileLock>> lockFile(const std::string& path) override {
        return m_target->lockFile(path);
    }

private:
    Env* m_target;
};

// Helpers built on any Env.

// Creates `path` and its missing parents.
Status createDirs(Env* env, const std::string& path);
// Removes `path` and, if it is a directory, everything below it.
Status removeAll(Env* env, const std::string& path);
// Writes `data` to `path` through a temporary file, syncs it and renames it
// into place, so readers see the old or the new content, never a mix.
Status writeFileAtomically(Env* env, const std::string& path, std::string_view data);
// Reads the whole file.
Result<std::string> readFile(Env* env, const std::string& path);
// `dir` + "/" + `name`.
std::string joinPath(std::string_view dir, std::string_view name);

}  // namespace vigil

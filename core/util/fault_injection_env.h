#pragma once

// An Env for tests that injects the failures storage code must survive
// (LevelDB's FaultInjectionTestEnv): failing fsync, a full disk (ENOSPC), a
// write torn by a crash of the process, and a power loss that drops every
// byte that was not made durable.
//
// It tracks, per file written through it, how many bytes were appended and
// how many of them a successful sync() made durable, and which names were
// created (by creating or renaming a file) since their directory was last
// synced. A power loss removes such a name; it does not bring back the old
// name of a renamed file.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/util/env.h"

namespace vigil {

// Thread-safe. `target` must outlive this object. Only files written through
// this Env are tracked; reading goes straight to the target.
class FaultInjectionEnv final : public EnvWrapper {
public:
    explicit FaultInjectionEnv(Env* target);
    ~FaultInjectionEnv() override;

    // Every WritableFile::sync() and syncDir() fails with an I/O error while set.
    void setSyncFailure(bool fail);
    // After `bytes` more bytes were appended (over all files), appends fail with
    // ENOSPC (kResourceExhausted); the append that crosses the limit writes the
    // prefix that fits, as a real short write does.
    void setNoSpaceAfter(std::uint64_t bytes);
    // The next append writes only its first `keepBytes` bytes and the process
    // "crashes": from then on every write, sync, create, rename or removal
    // fails until resetFaults() or dropUnsyncedData(). What was written stays
    // (a process crash does not lose data the OS has).
    void tearNextWrite(std::size_t keepBytes);

    bool crashed() const;
    // Clears all faults and the crashed state (a restart of the process).
    // Files opened before stay usable.
    void resetFaults();

    // Simulates a power loss and reboot: every tracked file is cut back to the
    // length its last successful sync() made durable, and files created since
    // their directory's last successful syncDir() are removed. Faults are
    // cleared; WritableFiles opened before fail on every call afterwards.
    Status dropUnsyncedData();

    // Bytes appended through this Env since construction.
    std::uint64_t bytesWritten() const;

    Result<std::unique_ptr<WritableFile>> newWritableFile(const std::string& path) override;
    Result<std::unique_ptr<WritableFile>> newAppendableFile(const std::string& path) override;
    Status removeFile(const std::string& path) override;
    Status createDir(const std::string& path) override;
    Status removeDir(const std::string& path) override;
    Status renameFile(const std::string& from, const std::string& to) override;
    Status truncateFile(const std::string& path, std::uint64_t size) override;
    Status syncDir(const std::string& dir) override;

private:
    class File;
    friend class File;

    struct FileState {
        std::uint64_t size = 0;
        std::uint64_t synced = 0;
        bool newSinceDirSync = false;
    };

    Result<std::unique_ptr<WritableFile>> open(const std::string& path, bool append);
    Status crashedError(const std::string& path) const;  // REQUIRES: m_mutex held

    // Called by File with m_mutex not held.
    Status fileAppend(File& file, std::string_view data);
    Status fileSync(File& file);

    mutable std::mutex m_mutex;
    std::map<std::string, FileState> m_files;  // GUARDED_BY(m_mutex)
    bool m_syncFailure = false;                // GUARDED_BY(m_mutex)
    std::optional<std::uint64_t> m_spaceLeft;  // GUARDED_BY(m_mutex)
    std::optional<std::size_t> m_tearKeep;     // GUARDED_BY(m_mutex)
    bool m_crashed = false;                    // GUARDED_BY(m_mutex)
    std::uint64_t m_generation = 0;            // GUARDED_BY(m_mutex)
    std::uint64_t m_bytesWritten = 0;          // GUARDED_BY(m_mutex)
};

}  // namespace vigil

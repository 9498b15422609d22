#pragma once

#include <QLockFile>
#include <QString>
#include <memory>

#include "core/util/status.h"

namespace vigil::engine {

// Exclusive ownership of a data directory by one process, through the lock
// file `<dir>/vigil.lock` (pid, host and app name inside). A lock left by a
// process that no longer runs is taken over; one held by a live process makes
// acquire() fail with a message that names that process.
class DataDirLock {
public:
    explicit DataDirLock(QString dataDir);
    ~DataDirLock();

    // Creates the directory if needed. REQUIRES: not already held.
    Status acquire();
    void release();
    bool held() const { return m_lock && m_lock->isLocked(); }
    QString lockFilePath() const;

private:
    QString m_dataDir;
    std::unique_ptr<QLockFile> m_lock;
};

}  // namespace vigil::engine

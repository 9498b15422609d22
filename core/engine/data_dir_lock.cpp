#include "core/engine/data_dir_lock.h"

#include <QDir>

namespace vigil::engine {

DataDirLock::DataDirLock(QString dataDir) : m_dataDir(std::move(dataDir)) {}

DataDirLock::~DataDirLock() {
    release();
}

QString DataDirLock::lockFilePath() const {
    return QDir(m_dataDir).filePath(QStringLiteral("vigil.lock"));
}

Status DataDirLock::acquire() {
    if (!QDir().mkpath(m_dataDir)) {
        return Status::ioError("cannot create data directory " + m_dataDir.toStdString());
    }
    m_lock = std::make_unique<QLockFile>(lockFilePath());
    // 0: never consider a lock stale by age; QLockFile still takes over a
    // lock whose owner process is gone.
    m_lock->setStaleLockTime(0);
    if (m_lock->tryLock(0))
        return Status::ok();

    const QLockFile::LockError error = m_lock->error();
    qint64 pid = 0;
    QString host, app;
    m_lock->getLockInfo(&pid, &host, &app);
    m_lock.reset();
    if (error == QLockFile::LockFailedError) {
        return Status::error(
            Status::Code::kUnavailable,
            "the data directory " + m_dataDir.toStdString() +
                " is in use by another Vigil process (pid " + std::to_string(pid) +
                (host.isEmpty() ? "" : " on " + host.toStdString()) +
                "). Stop that process, or start this one with --data-dir pointing elsewhere.");
    }
    return Status::ioError("cannot create the lock file " + lockFilePath().toStdString() +
                           " (is the data directory writable?)");
}

void DataDirLock::release() {
    if (m_lock) {
        m_lock->unlock();
        m_lock.reset();
    }
}

}  // namespace vigil::engine

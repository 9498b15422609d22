#pragma once

#include <QObject>

class QSocketNotifier;

namespace vigil::app {

// Turns SIGINT and SIGTERM into a Qt signal on the main thread (self-pipe),
// so that shutdown runs in the event loop rather than in a signal handler.
// One instance per process.
class UnixSignalWatcher : public QObject {
    Q_OBJECT
public:
    explicit UnixSignalWatcher(QObject* parent = nullptr);
    ~UnixSignalWatcher() override;

signals:
    void terminationRequested(int signalNumber);

private:
    QSocketNotifier* m_notifier = nullptr;
};

}  // namespace vigil::app

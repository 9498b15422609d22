#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <string>

#include "core/util/status.h"

namespace vigil::engine {

// A part of the engine with a lifecycle: the HTTP listener, the TSDB, the
// scrape manager... Each runs on its own thread(s), which it creates in
// doStart() and joins in doStop(). The Engine starts services in order and
// stops them in reverse order.
//
// start() and stop() are called from the thread that owns the Engine and
// block until the transition is done. stateChanged() may be emitted from any
// thread; receivers in other threads (the GUI) get it queued.
class Service : public QObject {
    Q_OBJECT
public:
    enum class State { kStopped, kStarting, kRunning, kStopping, kFailed };
    Q_ENUM(State)

    explicit Service(QString name, QObject* parent = nullptr);
    ~Service() override;

    const QString& name() const { return m_name; }
    State state() const { return m_state.load(); }

    // Returns the error that kept the service from starting; the service is
    // then kFailed and holds no thread.
    Status start();
    // Idempotent; a stopped or failed service stays as it is.
    void stop();

signals:
    void stateChanged(vigil::engine::Service::State state, const QString& detail);

protected:
    virtual Status doStart() = 0;
    virtual void doStop() = 0;

    // For a service whose thread dies on its own (e.g. a listener error).
    void reportFailure(const QString& detail);

private:
    void setState(State state, const QString& detail = {});

    QString m_name;
    std::atomic<State> m_state{State::kStopped};
};

const char* serviceStateName(Service::State state);

}  // namespace vigil::engine

#include "core/engine/service.h"

#include <QLoggingCategory>
#include <cassert>

namespace vigil::engine {

Q_LOGGING_CATEGORY(lcService, "vigil.engine")

Service::Service(QString name, QObject* parent) : QObject(parent), m_name(std::move(name)) {}

Service::~Service() {
    // A subclass must stop its threads in its own destructor (doStop is pure
    // virtual here); this only checks that it did.
    assert(m_state.load() != State::kRunning &&
           "service destroyed while running; call stop() first");
}

Status Service::start() {
    const State current = m_state.load();
    if (current == State::kRunning)
        return Status::ok();
    setState(State::kStarting);
    Status status = doStart();
    if (!status.isOk()) {
        setState(State::kFailed, QString::fromStdString(status.message()));
        qCWarning(lcService).noquote()
            << m_name << "failed to start:" << QString::fromStdString(status.message());
        return status;
    }
    setState(State::kRunning);
    return status;
}

void Service::stop() {
    const State current = m_state.load();
    if (current == State::kStopped || current == State::kFailed)
        return;
    setState(State::kStopping);
    doStop();
    setState(State::kStopped);
}

void Service::reportFailure(const QString& detail) {
    qCWarning(lcService).noquote() << m_name << "failed:" << detail;
    setState(State::kFailed, detail);
}

void Service::setState(State state, const QString& detail) {
    m_state.store(state);
    emit stateChanged(state, detail);
}

const char* serviceStateName(Service::State state) {
    switch (state) {
        case Service::State::kStopped:
            return "stopped";
        case Service::State::kStarting:
            return "starting";
        case Service::State::kRunning:
            return "running";
        case Service::State::kStopping:
            return "stopping";
        case Service::State::kFailed:
            return "failed";
    }
    return "unknown";
}

}  // namespace vigil::engine

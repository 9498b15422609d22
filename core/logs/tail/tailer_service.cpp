#include "core/logs/tail/tailer_service.h"

#include <QLoggingCategory>

namespace vigil::logs::tail {

Q_LOGGING_CATEGORY(lcTailerService, "vigil.logs.tailer")

TailerService::TailerService(TailerOptions options, LogWriter& writer)
    : engine::Service(QStringLiteral("log tailer")),
      m_options(std::move(options)),
      m_writer(writer) {}

TailerService::~TailerService() {
    stop();
}

std::vector<LogTargetInfo> TailerService::targets() const {
    std::shared_ptr<Tailer> tailer;
    {
        std::lock_guard lock(m_tailerMutex);
        tailer = m_tailer;
    }
    return tailer ? tailer->targets() : std::vector<LogTargetInfo>{};
}

Status TailerService::doStart() {
    auto tailer = std::make_shared<Tailer>(m_options, m_writer);
    if (Status opened = tailer->open(); !opened.isOk())
        return opened;
    m_stop = false;
    {
        std::lock_guard lock(m_tailerMutex);
        m_tailer = tailer;
    }
    m_thread = std::thread([this, tailer] {
        tailer->run(m_stop);
        if (Status closed = tailer->close(); !closed.isOk()) {
            qCWarning(lcTailerService).noquote()
                << "cannot write the positions file:" << QString::fromStdString(closed.message());
        }
    });
    return Status::ok();
}

void TailerService::doStop() {
    m_stop = true;
    std::shared_ptr<Tailer> tailer;
    {
        std::lock_guard lock(m_tailerMutex);
        tailer = std::move(m_tailer);
    }
    if (tailer)
        tailer->wake();
    if (m_thread.joinable())
        m_thread.join();
}

}  // namespace vigil::logs::tail

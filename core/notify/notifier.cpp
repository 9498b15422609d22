#include "core/notify/notifier.h"

namespace vigil::notify {

void NotifierRegistry::add(const std::string& receiver, Integration integration) {
    m_receivers[receiver].push_back(std::move(integration));
}

void NotifierRegistry::addReceiver(const std::string& receiver) {
    m_receivers[receiver];
}

const std::vector<Integration>* NotifierRegistry::integrations(std::string_view receiver) const {
    auto it = m_receivers.find(receiver);
    return it == m_receivers.end() ? nullptr : &it->second;
}

Result<NotifierRegistry> buildNotifierRegistry(const AlertmanagerConfig& config,
                                               const NotifierFactory& factory) {
    NotifierRegistry registry;
    for (const ReceiverConfig& receiver : config.receivers) {
        registry.addReceiver(receiver.name);
        for (std::size_t i = 0; i < receiver.integrations.size(); ++i) {
            const IntegrationConfig& integration = receiver.integrations[i];
            auto notifier = factory(receiver, integration, i);
            if (!notifier.isOk()) {
                return Status::error("receiver '" + receiver.name + "' " + integration.type +
                                     "_configs[" + std::to_string(i) +
                                     "]: " + notifier.status().message());
            }
            registry.add(receiver.name, Integration{integration.type, i, integration.sendResolved,
                                                    std::move(notifier.value())});
        }
    }
    return registry;
}

}  // namespace vigil::notify

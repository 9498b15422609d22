#pragma once

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace vigil::engine {
class Engine;
}

namespace vigil::ui {

// Where Vigil reads its configuration and keeps its data, the address of its
// HTTP listener, and the state of each engine service, live.
class SettingsPage : public QWidget {
    Q_OBJECT
public:
    explicit SettingsPage(engine::Engine& engine, QWidget* parent = nullptr);

    QTreeWidget* servicesView() const { return m_services; }

private:
    void refresh();

    engine::Engine& m_engine;
    QLabel* m_listen = nullptr;
    QTreeWidget* m_services = nullptr;
};

}  // namespace vigil::ui

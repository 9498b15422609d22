#pragma once

#include <QWidget>

#include <memory>

#include "core/dashboard/dashboard_store.h"

class QListWidget;
class QLabel;

namespace vigil::engine {
class Engine;
}

namespace vigil::dashboards {

class DashboardView;

// The Dashboards page: the dashboards of the store (bundled and the
// user's) on the left, the open one on the right, with import (file or
// pasted JSON) and export. Opens the Host overview first when present.
class DashboardsPage : public QWidget {
    Q_OBJECT
public:
    DashboardsPage(engine::Engine& engine, QWidget* parent = nullptr);
    ~DashboardsPage() override;

    DashboardView* view() const { return m_view; }
    dashboard::DashboardStore& store() { return *m_store; }
    bool open(const QString& uid);
    void reloadList();
    // Asks to save unsaved changes; false when the user cancels.
    bool maybeSave();

private:
    void importFromFile();
    void importFromClipboard();
    void exportCurrent();

    std::unique_ptr<dashboard::DashboardStore> m_store;
    QListWidget* m_list = nullptr;
    QLabel* m_status = nullptr;
    DashboardView* m_view = nullptr;
};

}  // namespace vigil::dashboards

#pragma once

#include "ui/panels/panel_widget.h"

class QTreeWidget;

namespace vigil::panels {

// The alert list: the firing and pending alerts of Vigil's rules (from the
// ALERTS and ALERTS_FOR_STATE series the panel's planned queries return),
// with their state, labels and how long they have been active; sorted as
// Grafana's options.sortOrder says (1 alphabetical, 2 reverse, 3 importance
// by severity, 4 newest first, 5 oldest first) and capped at maxItems.
class AlertListPanel : public PanelWidget {
    Q_OBJECT
public:
    explicit AlertListPanel(QWidget* parent = nullptr);

    struct Row {
        QString name;
        QString state;   // firing, pending
        QString labels;  // the other labels, "k=v, ..."
        qint64 activeAtMs = 0;
        int severityRank = 0;
    };
    const std::vector<Row>& rows() const { return m_rows; }
    QTreeWidget* tree() const { return m_tree; }
    // An empty list is a result, not a missing one: "No alerts".
    bool needsData() const override { return false; }

protected:
    QWidget* createContent() override;
    void configure(const dashboard::Panel& panel,
                   const dashboard::InterpolationContext& context) override;
    void render(const PanelData& data) override;

private:
    QTreeWidget* m_tree = nullptr;
    std::vector<Row> m_rows;
    int m_sortOrder = 1;
    int m_maxItems = 20;
};

}  // namespace vigil::panels

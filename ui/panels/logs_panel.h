#pragma once

#include "ui/panels/panel_widget.h"

namespace vigil::logsui {
class LogListWidget;
}

namespace vigil::panels {

// Grafana's logs panel: the lines of its LogQL targets in the log list the
// Logs page uses (level colour bars, details on click). Options as Grafana:
// showTime, showLabels, wrapLogMessage, sortOrder (Descending / Ascending),
// enableLogDetails, dedupStrategy (none, exact, numbers, signature: a line
// equal to the previous shown one under that comparison is left out).
// Each dashboard refresh re-queries through the query service.
class LogsPanel : public PanelWidget {
    Q_OBJECT
public:
    explicit LogsPanel(QWidget* parent = nullptr);
    logsui::LogListWidget* list() const { return m_list; }

protected:
    QWidget* createContent() override;
    void configure(const dashboard::Panel& panel,
                   const dashboard::InterpolationContext& context) override;
    void render(const PanelData& data) override;

private:
    logsui::LogListWidget* m_list = nullptr;
    bool m_newestFirst = true;
    QString m_dedup;
};

// Grafana's dedup comparison key of a line: "exact" the line, "numbers" the
// line without digits, "signature" only what is neither letter nor digit;
// "none" (or anything else) returns an empty string (no dedup).
QString logDedupKey(const QString& line, const QString& strategy);

}  // namespace vigil::panels

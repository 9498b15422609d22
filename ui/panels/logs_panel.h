#pragma once

#include <memory>
#include <vector>

#include "ui/panels/panel_widget.h"

namespace vigil::logs::live {
class LiveTailHub;
struct LiveBatch;
}  // namespace vigil::logs::live
namespace vigil::logsui {
class LiveTailAdapter;
class LogListWidget;
}  // namespace vigil::logsui

namespace vigil::panels {

// Grafana's logs panel: the lines of its LogQL targets in the log list the
// Logs page uses (level colour bars, details on click). Options as Grafana:
// showTime, showLabels, wrapLogMessage, sortOrder (Descending / Ascending),
// enableLogDetails, dedupStrategy (none, exact, numbers, signature: a line
// equal to the previous shown one under that comparison is left out).
// Each dashboard refresh re-queries through the query service. Live: with
// the engine's live tail (setLiveTail) and a time range that ends now, the
// lines its targets match appear as they are stored, between refreshes
// (at most kMaxRows, the oldest go; dedup applies to them too).
class LogsPanel : public PanelWidget {
    Q_OBJECT
public:
    static constexpr std::size_t kMaxRows = 5000;

    explicit LogsPanel(QWidget* parent = nullptr);
    ~LogsPanel() override;
    logsui::LogListWidget* list() const { return m_list; }

    // The engine's live tail (null: refresh only). `hub` must outlive the
    // panel. Call before setPanel().
    void setLiveTail(logs::live::LiveTailHub* hub) { m_hub = hub; }
    // The queries streaming live now (empty when not live).
    QStringList liveQueries() const { return m_liveQueries; }

protected:
    QWidget* createContent() override;
    void configure(const dashboard::Panel& panel,
                   const dashboard::InterpolationContext& context) override;
    void render(const PanelData& data) override;

private:
    void onLiveBatch(const logs::live::LiveBatch& batch);

    logsui::LogListWidget* m_list = nullptr;
    logs::live::LiveTailHub* m_hub = nullptr;
    std::vector<logsui::LiveTailAdapter*> m_live;  // children; one per target
    QStringList m_liveQueries;
    bool m_newestFirst = true;
    QString m_dedup;
};

// Grafana's dedup comparison key of a line: "exact" the line, "numbers" the
// line without digits, "signature" only what is neither letter nor digit;
// "none" (or anything else) returns an empty string (no dedup).
QString logDedupKey(const QString& line, const QString& strategy);

}  // namespace vigil::panels

#pragma once

#include <QWidget>

#include <memory>

#include "core/logs/log_store_api.h"
#include "core/model/labels.h"

class QCheckBox;
class QCompleter;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace vigil::engine {
class Engine;
}
namespace vigil::logs::live {
class LiveTailHub;
struct LiveBatch;
}  // namespace vigil::logs::live

namespace vigil::logsui {

class LiveTailAdapter;
class LogListWidget;
class LogQueryRunner;
class LogVolumeWidget;
struct LogQueryAnswer;

// The Logs page (Grafana Explore for logs): a LogQL query box, a time range,
// a line limit, the log volume histogram by level, the lines (virtualized,
// level colour bars, wrap, newest/oldest first, details on click), and Live
// mode through the engine's live tail: newest at the bottom, pause/resume, a
// bounded buffer, and "N lines dropped" when the tail could not keep up.
// Queries run on workers; the GUI thread never waits on the store.
class LogsPage : public QWidget {
    Q_OBJECT
public:
    explicit LogsPage(engine::Engine& engine, QWidget* parent = nullptr);
    // Tests: a reader and a hub without an Engine (either may be null).
    LogsPage(const logs::LogReader* reader, logs::live::LiveTailHub* hub,
             QWidget* parent = nullptr);
    ~LogsPage() override;

    void setQuery(const QString& query);
    QString query() const;
    // The range as "now-<duration>" choices: 5m, 15m, 1h, 6h, 24h, 7d.
    void setRelativeRange(const QString& duration);
    void setLimit(int limit);
    void setNewestFirst(bool newestFirst);

    // Runs the query over the range (leaves live mode).
    void runQuery();
    void setLive(bool live);
    bool isLive() const;
    void setPaused(bool paused);

    LogListWidget* list() const { return m_list; }
    LogVolumeWidget* volume() const { return m_volume; }
    QString errorText() const;
    QString statusText() const;
    QString droppedText() const;
    bool isBusy() const;

    // Fetches the stream selectors of the last 6 hours on a worker for the
    // query box's completion ({job="varlogs"}, ...); done on show as well.
    void refreshCompletions();
    QStringList completions() const;

signals:
    void queryFinished();
    void completionsReady();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void build();
    void showAnswer(const LogQueryAnswer& answer);
    void showError(const QString& error, int offset);
    void onLiveBatch(const logs::live::LiveBatch& batch);
    void updateDropped();

    const logs::LogReader* m_reader = nullptr;
    logs::live::LiveTailHub* m_hub = nullptr;
    LogQueryRunner* m_runner = nullptr;
    LiveTailAdapter* m_live = nullptr;

    QLineEdit* m_query = nullptr;
    QComboBox* m_range = nullptr;
    QSpinBox* m_limit = nullptr;
    QComboBox* m_order = nullptr;
    QPushButton* m_run = nullptr;
    QToolButton* m_liveButton = nullptr;
    QToolButton* m_pauseButton = nullptr;
    QCheckBox* m_wrap = nullptr;
    QCheckBox* m_showTime = nullptr;
    QCheckBox* m_showLabels = nullptr;
    QLabel* m_error = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_dropped = nullptr;
    LogVolumeWidget* m_volume = nullptr;
    LogListWidget* m_list = nullptr;
    quint64 m_request = 0;
    QCompleter* m_completer = nullptr;
    qint64 m_completionsFetchedMs = 0;
    bool m_fetchingCompletions = false;
};

// The selectors offered for completion: `{name="value"}` for every label
// pair of `streams`, sorted, unique, at most `max`.
QStringList streamSelectorCompletions(const std::vector<model::Labels>& streams, int max = 5000);

}  // namespace vigil::logsui

#pragma once

#include <QWidget>

#include <utility>
#include <vector>

class QListView;
class QTreeWidget;
class QSplitter;

namespace vigil::logsui {

class LogListModel;
class LogLineDelegate;

// Parsed fields of a line for the details pane: a JSON object's top-level
// members (nested values as compact JSON) or logfmt key=value pairs; empty
// for other lines.
std::vector<std::pair<QString, QString>> parseLogFields(const QString& line);

// The log line list shared by the Logs page and the dashboards' logs panel:
// a virtualized view over a LogListModel (100k lines scroll as fast as 100)
// painting per line a level colour bar, the time, optionally the labels, and
// the line, wrapped or not; a click opens the details (labels and parsed
// fields) below. GUI thread only.
class LogListWidget : public QWidget {
    Q_OBJECT
public:
    explicit LogListWidget(QWidget* parent = nullptr);

    LogListModel* model() const { return m_model; }
    QListView* view() const { return m_view; }
    QTreeWidget* details() const { return m_details; }

    void setShowTime(bool show);
    void setShowLabels(bool show);
    void setWrapLines(bool wrap);
    void setDetailsEnabled(bool enabled);
    bool showTime() const;
    bool showLabels() const;
    bool wrapLines() const;
    bool detailsEnabled() const { return m_detailsEnabled; }

    // Fills the details pane for `row` (what a click does).
    void showDetails(int row);
    // Keeps the newest (last) line in view while rows are appended (live).
    void setFollowTail(bool follow);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void relayout();

    LogListModel* m_model = nullptr;
    LogLineDelegate* m_delegate = nullptr;
    QListView* m_view = nullptr;
    QTreeWidget* m_details = nullptr;
    QSplitter* m_splitter = nullptr;
    bool m_detailsEnabled = true;
    bool m_followTail = false;
};

}  // namespace vigil::logsui

#pragma once

#include <QPlainTextEdit>
#include <QStringList>

class QCompleter;
class QStringListModel;

namespace vigil::dashboards {

// A PromQL query editor: syntax highlighting (functions, aggregations,
// keywords, strings, numbers and durations, label matchers), completion of
// metric names, label names and functions (Ctrl+Space, or while typing a
// word), and the parse error underlined where it is, with its message as
// the tooltip and in errorText(). Variables ($x, ${x}, [[x]]) are accepted:
// they are replaced by a placeholder before checking.
class PromQLEditor : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit PromQLEditor(QWidget* parent = nullptr);

    void setCompletions(const QStringList& metricNames, const QStringList& labelNames);
    QString errorText() const { return m_error; }
    // The [start, end) character span of the underlined error; (-1, -1) when fine.
    QPair<int, int> errorSpan() const { return m_errorSpan; }
    QCompleter* completer() const { return m_completer; }

signals:
    void errorChanged(const QString& error);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    void check();
    QString wordUnderCursor() const;
    void insertCompletion(const QString& completion);

    QCompleter* m_completer = nullptr;
    QStringListModel* m_model = nullptr;
    QString m_error;
    QPair<int, int> m_errorSpan{-1, -1};
};

}  // namespace vigil::dashboards

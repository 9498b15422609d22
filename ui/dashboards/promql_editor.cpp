#include "ui/dashboards/promql_editor.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QFontDatabase>
#include <QHelpEvent>
#include <QRegularExpression>
#include <QScrollBar>
#include <QStringListModel>
#include <QSyntaxHighlighter>
#include <QToolTip>

#include "core/promql/functions.h"
#include "core/promql/parser.h"

namespace vigil::dashboards {
namespace {

const QStringList& aggregations() {
    static const QStringList kAggregations = {
        QStringLiteral("sum"),     QStringLiteral("min"),        QStringLiteral("max"),
        QStringLiteral("avg"),     QStringLiteral("group"),      QStringLiteral("stddev"),
        QStringLiteral("stdvar"),  QStringLiteral("count"),      QStringLiteral("count_values"),
        QStringLiteral("bottomk"), QStringLiteral("topk"),       QStringLiteral("quantile"),
        QStringLiteral("limitk"),  QStringLiteral("limit_ratio")};
    return kAggregations;
}

QStringList functionNames() {
    QStringList names;
    for (const auto& function : promql::allFunctions())
        names << QString::fromLatin1(function.name.data(), qsizetype(function.name.size()));
    return names;
}

class PromQLHighlighter : public QSyntaxHighlighter {
public:
    explicit PromQLHighlighter(QTextDocument* document) : QSyntaxHighlighter(document) {
        QTextCharFormat function;
        function.setForeground(QColor(QStringLiteral("#3274D9")));
        QTextCharFormat keyword;
        keyword.setForeground(QColor(QStringLiteral("#8F3BB8")));
        keyword.setFontWeight(QFont::Bold);
        QTextCharFormat string;
        string.setForeground(QColor(QStringLiteral("#37872D")));
        QTextCharFormat number;
        number.setForeground(QColor(QStringLiteral("#E55400")));
        QTextCharFormat variable;
        variable.setForeground(QColor(QStringLiteral("#C4162A")));
        QTextCharFormat label;
        label.setForeground(QColor(QStringLiteral("#1F60C4")));
        label.setFontItalic(true);
        const QStringList words = functionNames() + aggregations();
        m_rules.push_back(
            {QRegularExpression(QStringLiteral("\\b(") + words.join(QLatin1Char('|')) +
                                QStringLiteral(")\\b(?=\\s*\\()")),
             function});
        m_rules.push_back(
            {QRegularExpression(QStringLiteral("\\b(by|without|on|ignoring|group_left|group_right|"
                                               "offset|bool|and|or|unless)\\b")),
             keyword});
        m_rules.push_back({QRegularExpression(QStringLiteral(
                               "[a-zA-Z_][a-zA-Z0-9_]*(?=\\s*(=~|!~|!=|=)\\s*[\"'`])")),
                           label});
        m_rules.push_back(
            {QRegularExpression(QStringLiteral("\\b\\d+(\\.\\d+)?(ms|s|m|h|d|w|y)?\\b")), number});
        m_rules.push_back(
            {QRegularExpression(QStringLiteral("\\$\\{[^}]*\\}|\\$\\w+|\\[\\[\\w+\\]\\]")),
             variable});
        m_rules.push_back({QRegularExpression(QStringLiteral(
                               "\"(\\\\.|[^\"\\\\])*\"|'(\\\\.|[^'\\\\])*'|`[^`]*`")),
                           string});
    }

protected:
    void highlightBlock(const QString& text) override {
        for (const auto& [pattern, format] : m_rules) {
            auto it = pattern.globalMatch(text);
            while (it.hasNext()) {
                const auto match = it.next();
                setFormat(int(match.capturedStart()), int(match.capturedLength()), format);
            }
        }
    }

private:
    std::vector<std::pair<QRegularExpression, QTextCharFormat>> m_rules;
};

// Grafana variables become a placeholder of the same length, so the parser
// sees valid PromQL and error positions stay where the user typed them.
QString withoutVariables(const QString& text) {
    static const QRegularExpression kVariable(
        QStringLiteral("\\$\\{[^}]*\\}|\\$\\w+|\\[\\[[^\\]]*\\]\\]"));
    QString out = text;
    auto it = kVariable.globalMatch(text);
    while (it.hasNext()) {
        const auto match = it.next();
        const qsizetype length = match.capturedLength();
        // Inside brackets a duration keeps `[5m]` valid; elsewhere a name.
        const bool inRange =
            match.capturedStart() > 0 && text[match.capturedStart() - 1] == QLatin1Char('[');
        const QString replacement = (inRange ? QStringLiteral("5m") : QStringLiteral("x"))
                                        .leftJustified(length, QLatin1Char(' '));
        out.replace(match.capturedStart(), length, replacement.left(length));
    }
    return out;
}

}  // namespace

PromQLEditor::PromQLEditor(QWidget* parent) : QPlainTextEdit(parent) {
    setObjectName(QStringLiteral("promqlEditor"));
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setTabChangesFocus(true);
    setMaximumHeight(fontMetrics().height() * 5);
    new PromQLHighlighter(document());
    m_model = new QStringListModel(this);
    m_completer = new QCompleter(m_model, this);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchStartsWith);
    connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this,
            &PromQLEditor::insertCompletion);
    connect(this, &QPlainTextEdit::textChanged, this, &PromQLEditor::check);
    setCompletions({}, {});
}

void PromQLEditor::setCompletions(const QStringList& metricNames, const QStringList& labelNames) {
    QStringList words = metricNames + labelNames + functionNames() + aggregations();
    words << QStringLiteral("$__rate_interval") << QStringLiteral("$__interval")
          << QStringLiteral("$__range");
    words.removeDuplicates();
    words.sort(Qt::CaseInsensitive);
    m_model->setStringList(words);
}

void PromQLEditor::check() {
    const QString text = toPlainText();
    QString error;
    QPair<int, int> span{-1, -1};
    if (!text.trimmed().isEmpty()) {
        const QByteArray utf8 = withoutVariables(text).toUtf8();
        promql::ParseError parseError;
        if (!promql::parse(std::string_view(utf8.constData(), std::size_t(utf8.size())),
                           &parseError)) {
            error = QString::fromStdString(parseError.toString());
            // Byte offsets to character offsets.
            const int start =
                int(QString::fromUtf8(utf8.left(qsizetype(parseError.offset))).size());
            const int end =
                int(QString::fromUtf8(
                        utf8.left(qsizetype(std::max(parseError.endOffset, parseError.offset + 1))))
                        .size());
            span = {std::min(start, int(text.size())),
                    std::min(std::max(end, start + 1), int(text.size()))};
        }
    }
    QList<QTextEdit::ExtraSelection> selections;
    if (span.first >= 0) {
        QTextEdit::ExtraSelection selection;
        selection.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        selection.format.setUnderlineColor(QColor(QStringLiteral("#E02F44")));
        selection.cursor = QTextCursor(document());
        const int start =
            span.first == int(text.size()) && span.first > 0 ? span.first - 1 : span.first;
        selection.cursor.setPosition(start);
        selection.cursor.setPosition(std::max(span.second, start + 1), QTextCursor::KeepAnchor);
        selections << selection;
    }
    setExtraSelections(selections);
    setToolTip(error);
    if (error != m_error) {
        m_error = error;
        m_errorSpan = span;
        emit errorChanged(error);
    }
    m_errorSpan = span;
}

QString PromQLEditor::wordUnderCursor() const {
    QTextCursor cursor = textCursor();
    const QString text = toPlainText();
    int start = cursor.position();
    while (start > 0 &&
           (text[start - 1].isLetterOrNumber() || text[start - 1] == QLatin1Char('_') ||
            text[start - 1] == QLatin1Char(':') || text[start - 1] == QLatin1Char('$')))
        --start;
    return text.mid(start, cursor.position() - start);
}

void PromQLEditor::insertCompletion(const QString& completion) {
    QTextCursor cursor = textCursor();
    const int prefix = int(m_completer->completionPrefix().size());
    cursor.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, prefix);
    cursor.insertText(completion);
    setTextCursor(cursor);
}

void PromQLEditor::keyPressEvent(QKeyEvent* event) {
    if (m_completer->popup()->isVisible()) {
        switch (event->key()) {
            case Qt::Key_Enter:
            case Qt::Key_Return:
            case Qt::Key_Escape:
            case Qt::Key_Tab:
            case Qt::Key_Backtab:
                event->ignore();
                return;
            default:
                break;
        }
    }
    const bool shortcut =
        event->modifiers().testFlag(Qt::ControlModifier) && event->key() == Qt::Key_Space;
    if (!shortcut)
        QPlainTextEdit::keyPressEvent(event);
    const QString prefix = wordUnderCursor();
    if (!shortcut && (event->text().isEmpty() || prefix.size() < 2)) {
        m_completer->popup()->hide();
        return;
    }
    if (prefix != m_completer->completionPrefix()) {
        m_completer->setCompletionPrefix(prefix);
        m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    }
    QRect rect = cursorRect();
    rect.setWidth(m_completer->popup()->sizeHintForColumn(0) +
                  m_completer->popup()->verticalScrollBar()->sizeHint().width());
    m_completer->complete(rect);
}

bool PromQLEditor::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip && !m_error.isEmpty()) {
        QToolTip::showText(static_cast<QHelpEvent*>(event)->globalPos(), m_error, this);
        return true;
    }
    return QPlainTextEdit::event(event);
}

}  // namespace vigil::dashboards

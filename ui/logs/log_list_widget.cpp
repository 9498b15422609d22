#include "ui/logs/log_list_widget.h"

#include <QDateTime>
#include <QEvent>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListView>
#include <QPainter>
#include <QScrollBar>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTimeZone>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "ui/logs/log_list_model.h"

namespace vigil::logsui {

std::vector<std::pair<QString, QString>> parseLogFields(const QString& line) {
    std::vector<std::pair<QString, QString>> fields;
    const QString trimmed = line.trimmed();
    if (trimmed.startsWith(QLatin1Char('{'))) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(trimmed.toUtf8(), &error);
        if (error.error == QJsonParseError::NoError && doc.isObject()) {
            const QJsonObject o = doc.object();
            for (auto it = o.begin(); it != o.end(); ++it) {
                const QJsonValue v = it.value();
                QString text;
                if (v.isString())
                    text = v.toString();
                else if (v.isDouble())
                    text = QString::number(v.toDouble(), 'g', 17);
                else if (v.isBool())
                    text = v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
                else if (v.isNull())
                    text = QStringLiteral("null");
                else
                    text = QString::fromUtf8(
                        (v.isObject() ? QJsonDocument(v.toObject()) : QJsonDocument(v.toArray()))
                            .toJson(QJsonDocument::Compact));
                fields.emplace_back(it.key(), text);
            }
            return fields;
        }
    }
    // logfmt: key=value, key="quoted \" value"; other words are skipped.
    qsizetype i = 0;
    const qsizetype n = line.size();
    while (i < n) {
        while (i < n && line[i].isSpace())
            ++i;
        const qsizetype keyStart = i;
        while (i < n && !line[i].isSpace() && line[i] != QLatin1Char('='))
            ++i;
        const QString key = line.mid(keyStart, i - keyStart);
        if (i >= n || line[i] != QLatin1Char('=') || key.isEmpty()) {
            while (i < n && !line[i].isSpace())
                ++i;
            continue;
        }
        ++i;
        QString value;
        if (i < n && line[i] == QLatin1Char('"')) {
            ++i;
            while (i < n && line[i] != QLatin1Char('"')) {
                if (line[i] == QLatin1Char('\\') && i + 1 < n)
                    ++i;
                value.append(line[i++]);
            }
            ++i;
        } else {
            const qsizetype start = i;
            while (i < n && !line[i].isSpace())
                ++i;
            value = line.mid(start, i - start);
        }
        fields.emplace_back(key, value);
    }
    return fields;
}

// Paints one line: level bar, time, labels, text. Wrapping lays the text
// out at the view's width; without it every row has the same height, so
// the view can skip measuring rows (uniform sizes) and 100k lines stay fast.
class LogLineDelegate : public QStyledItemDelegate {
public:
    explicit LogLineDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

    bool showTime = true;
    bool showLabels = false;
    bool wrap = false;
    int width = 800;

    static constexpr int kBar = 4;
    static constexpr int kPad = 6;

    QString prefix(const QModelIndex& index) const {
        QString p;
        if (showTime) {
            const qint64 ns = index.data(LogListModel::kTimeNsRole).toLongLong();
            p = QDateTime::fromMSecsSinceEpoch(ns / 1000000)
                    .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
            p += QLatin1Char(' ');
        }
        if (showLabels) {
            p += index.data(LogListModel::kLabelsRole).toString();
            p += QLatin1Char(' ');
        }
        return p;
    }

    int textWidth() const { return std::max(50, width - kBar - 2 * kPad); }

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        const QFontMetrics fm(option.font);
        const int lineHeight = fm.lineSpacing() + 2;
        if (!wrap)
            return {width, lineHeight};
        const QString text = prefix(index) + index.data(LogListModel::kLineRole).toString();
        const QRect r = fm.boundingRect(QRect(0, 0, textWidth(), 1 << 20),
                                        Qt::TextWrapAnywhere | Qt::AlignLeft, text);
        return {width, std::max(lineHeight, r.height() + 2)};
    }

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override {
        painter->save();
        if (option.state & QStyle::State_Selected)
            painter->fillRect(option.rect, option.palette.highlight());
        else if (option.state & QStyle::State_MouseOver)
            painter->fillRect(option.rect, option.palette.alternateBase());
        painter->fillRect(
            QRect(option.rect.left(), option.rect.top() + 1, kBar, option.rect.height() - 2),
            index.data(LogListModel::kLevelColorRole).value<QColor>());
        QRect textRect = option.rect.adjusted(kBar + kPad, 1, -kPad, -1);
        const QString pre = prefix(index);
        const QString line = index.data(LogListModel::kLineRole).toString();
        const QColor text = option.state & QStyle::State_Selected
                                ? option.palette.highlightedText().color()
                                : option.palette.text().color();
        if (wrap) {
            painter->setPen(text);
            painter->drawText(textRect, Qt::TextWrapAnywhere | Qt::AlignLeft | Qt::AlignTop,
                              pre + line);
        } else {
            const QFontMetrics fm(option.font);
            QColor dim = text;
            dim.setAlphaF(0.6f);
            painter->setPen(dim);
            painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, pre);
            textRect.setLeft(textRect.left() + fm.horizontalAdvance(pre));
            painter->setPen(text);
            painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine,
                              line);
        }
        painter->restore();
    }
};

LogListWidget::LogListWidget(QWidget* parent) : QWidget(parent) {
    m_model = new LogListModel(this);
    m_delegate = new LogLineDelegate(this);
    m_view = new QListView(this);
    m_view->setObjectName(QStringLiteral("logLines"));
    m_view->setModel(m_model);
    m_view->setItemDelegate(m_delegate);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setUniformItemSizes(true);
    m_view->setBatchSize(2000);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setMouseTracking(true);

    m_details = new QTreeWidget(this);
    m_details->setObjectName(QStringLiteral("logDetails"));
    m_details->setColumnCount(2);
    m_details->setHeaderLabels({tr("Field"), tr("Value")});
    m_details->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_details->setRootIsDecorated(true);
    m_details->hide();

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(m_view);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);

    connect(m_view, &QListView::clicked, this, [this](const QModelIndex& index) {
        if (m_detailsEnabled && index.isValid())
            showDetails(index.row());
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_followTail)
            m_view->scrollToBottom();
    });
    m_view->viewport()->installEventFilter(this);
    relayout();
}

bool LogListWidget::showTime() const {
    return m_delegate->showTime;
}
bool LogListWidget::showLabels() const {
    return m_delegate->showLabels;
}
bool LogListWidget::wrapLines() const {
    return m_delegate->wrap;
}

void LogListWidget::setShowTime(bool show) {
    m_delegate->showTime = show;
    relayout();
}

void LogListWidget::setShowLabels(bool show) {
    m_delegate->showLabels = show;
    relayout();
}

void LogListWidget::setWrapLines(bool wrap) {
    m_delegate->wrap = wrap;
    // Wrapped rows differ in height; uniform sizes would clip them.
    m_view->setUniformItemSizes(!wrap);
    // Measuring 100k wrapped rows takes a while: lay them out in batches
    // between events so the GUI stays responsive.
    m_view->setLayoutMode(wrap ? QListView::Batched : QListView::SinglePass);
    m_view->setWordWrap(wrap);
    relayout();
}

void LogListWidget::setDetailsEnabled(bool enabled) {
    m_detailsEnabled = enabled;
    if (!enabled)
        m_details->hide();
}

void LogListWidget::setFollowTail(bool follow) {
    m_followTail = follow;
    if (follow)
        m_view->scrollToBottom();
}

void LogListWidget::relayout() {
    m_delegate->width = m_view->viewport()->width();
    m_view->doItemsLayout();
    m_view->viewport()->update();
}

bool LogListWidget::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_view->viewport() && event->type() == QEvent::Resize &&
        m_delegate->width != m_view->viewport()->width())
        relayout();
    return QWidget::eventFilter(watched, event);
}

void LogListWidget::showDetails(int row) {
    if (row < 0 || row >= m_model->rowCount())
        return;
    const LogRow& r = m_model->row(row);
    m_details->clear();
    auto* levelItem = new QTreeWidgetItem(
        m_details, {tr("Level"), QString::fromLatin1(logs::logLevelName(r.level).data())});
    levelItem->setForeground(1, logLevelColor(r.level));
    new QTreeWidgetItem(
        m_details, {tr("Time"), QDateTime::fromMSecsSinceEpoch(r.tsNs / 1000000, QTimeZone::utc())
                                        .toString(Qt::ISODateWithMs) +
                                    QStringLiteral(" (%1 ns)").arg(r.tsNs)});
    auto* labels = new QTreeWidgetItem(m_details, {tr("Labels"), QString()});
    labels->setData(0, Qt::UserRole, QStringLiteral("labels"));
    if (r.labels) {
        for (const auto& l : *r.labels)
            new QTreeWidgetItem(labels,
                                {QString::fromStdString(l.name), QString::fromStdString(l.value)});
    }
    const auto fields = parseLogFields(r.line);
    auto* parsed = new QTreeWidgetItem(m_details, {tr("Parsed fields"), QString()});
    parsed->setData(0, Qt::UserRole, QStringLiteral("fields"));
    for (const auto& [k, v] : fields)
        new QTreeWidgetItem(parsed, {k, v});
    m_details->expandAll();
    m_details->show();
}

}  // namespace vigil::logsui

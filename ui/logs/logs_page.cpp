#include "ui/logs/logs_page.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDateTime>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStringListModel>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <set>

#include "core/engine/engine.h"
#include "core/logs/live/live_tail_hub.h"
#include "core/logs/store/logs_service.h"
#include "core/util/human_units.h"
#include "ui/logs/live_tail_adapter.h"
#include "ui/logs/log_list_model.h"
#include "ui/logs/log_list_widget.h"
#include "ui/logs/log_query_runner.h"
#include "ui/logs/log_volume_widget.h"

namespace vigil::logsui {
namespace {

constexpr int kVolumeBuckets = 60;
constexpr std::size_t kLiveMaxRows = 10000;

}  // namespace

QStringList streamSelectorCompletions(const std::vector<model::Labels>& streams, int max) {
    std::set<QString> unique;
    for (const auto& labels : streams) {
        for (const auto& l : labels) {
            unique.insert(QStringLiteral("{%1=\"%2\"}")
                              .arg(QString::fromStdString(l.name),
                                   QString::fromStdString(model::escapeLabelValue(l.value))));
            if (static_cast<int>(unique.size()) >= max)
                break;
        }
    }
    return QStringList(unique.begin(), unique.end());
}

LogsPage::LogsPage(engine::Engine& engine, QWidget* parent)
    : LogsPage(engine.logStore(), engine.liveTail(), parent) {}

LogsPage::LogsPage(const logs::LogReader* reader, logs::live::LiveTailHub* hub, QWidget* parent)
    : QWidget(parent), m_reader(reader), m_hub(hub) {
    m_runner = new LogQueryRunner(reader, this);
    if (hub) {
        m_live = new LiveTailAdapter(*hub, this);
        connect(m_live, &LiveTailAdapter::received, this, &LogsPage::onLiveBatch);
    }
    build();
    connect(m_runner, &LogQueryRunner::resultReady, this,
            [this](quint64 id, const LogQueryAnswer& answer) {
                if (id == m_request)
                    showAnswer(answer);
            });
    connect(m_runner, &LogQueryRunner::volumeReady, this,
            [this](quint64 id, const logs::LogVolume& volume) {
                if (id == m_request)
                    m_volume->setVolume(volume);
            });
    connect(m_runner, &LogQueryRunner::volumeFailed, this,
            [this](quint64 id, const QString& error) {
                if (id == m_request)
                    m_volume->setMessage(error);
            });
}

LogsPage::~LogsPage() {
    if (m_live)
        m_live->stop();
    // A completion fetch still running reads m_reader: wait for it (the
    // series call is short and bounded to 6 hours).
    for (auto* watcher : findChildren<QFutureWatcher<QStringList>*>())
        watcher->waitForFinished();
}

void LogsPage::build() {
    m_query = new QLineEdit(this);
    m_query->setObjectName(QStringLiteral("logsQuery"));
    m_query->setPlaceholderText(tr("LogQL, e.g. {job=\"varlogs\"} |= \"error\""));
    m_query->setFont(QFont(QStringLiteral("monospace")));
    m_completer = new QCompleter(new QStringListModel(this), this);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchStartsWith);
    m_query->setCompleter(m_completer);
    m_range = new QComboBox(this);
    m_range->setObjectName(QStringLiteral("logsRange"));
    for (const char* d : {"5m", "15m", "1h", "6h", "24h", "7d"})
        m_range->addItem(tr("Last %1").arg(QLatin1String(d)), QString::fromLatin1(d));
    m_range->setCurrentIndex(2);
    m_limit = new QSpinBox(this);
    m_limit->setObjectName(QStringLiteral("logsLimit"));
    m_limit->setRange(1, 100000);
    m_limit->setValue(1000);
    m_limit->setPrefix(tr("Limit "));
    m_run = new QPushButton(tr("Run query"), this);
    m_run->setObjectName(QStringLiteral("logsRun"));
    m_liveButton = new QToolButton(this);
    m_liveButton->setObjectName(QStringLiteral("logsLive"));
    m_liveButton->setText(tr("Live"));
    m_liveButton->setCheckable(true);
    m_liveButton->setEnabled(m_hub != nullptr);
    m_liveButton->setToolTip(m_hub ? tr("Stream new lines as they arrive")
                                   : tr("The log store is not enabled"));
    m_pauseButton = new QToolButton(this);
    m_pauseButton->setObjectName(QStringLiteral("logsPause"));
    m_pauseButton->setText(tr("Pause"));
    m_pauseButton->setCheckable(true);
    m_pauseButton->setEnabled(false);

    auto* top = new QHBoxLayout;
    top->addWidget(m_query, 1);
    top->addWidget(m_range);
    top->addWidget(m_limit);
    top->addWidget(m_run);
    top->addWidget(m_liveButton);
    top->addWidget(m_pauseButton);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("logsError"));
    m_error->setStyleSheet(QStringLiteral("color: #e24d42;"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    m_volume = new LogVolumeWidget(this);
    m_volume->setObjectName(QStringLiteral("logsVolume"));

    m_order = new QComboBox(this);
    m_order->setObjectName(QStringLiteral("logsOrder"));
    m_order->addItem(tr("Newest first"));
    m_order->addItem(tr("Oldest first"));
    m_wrap = new QCheckBox(tr("Wrap lines"), this);
    m_wrap->setObjectName(QStringLiteral("logsWrap"));
    m_showTime = new QCheckBox(tr("Time"), this);
    m_showTime->setChecked(true);
    m_showLabels = new QCheckBox(tr("Labels"), this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("logsStatus"));
    m_dropped = new QLabel(this);
    m_dropped->setObjectName(QStringLiteral("logsDropped"));
    m_dropped->setStyleSheet(QStringLiteral("color: #eab839; font-weight: bold;"));
    m_dropped->hide();
    auto* options = new QHBoxLayout;
    options->addWidget(m_showTime);
    options->addWidget(m_showLabels);
    options->addWidget(m_wrap);
    options->addWidget(m_order);
    options->addStretch(1);
    options->addWidget(m_dropped);
    options->addWidget(m_status);

    m_list = new LogListWidget(this);
    m_list->setObjectName(QStringLiteral("logsList"));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_error);
    layout->addWidget(m_volume);
    layout->addLayout(options);
    layout->addWidget(m_list, 1);

    connect(m_query, &QLineEdit::returnPressed, this, &LogsPage::runQuery);
    connect(m_run, &QPushButton::clicked, this, &LogsPage::runQuery);
    connect(m_range, &QComboBox::currentIndexChanged, this, [this] {
        if (!isLive() && !m_query->text().trimmed().isEmpty())
            runQuery();
    });
    connect(m_liveButton, &QToolButton::toggled, this, &LogsPage::setLive);
    connect(m_pauseButton, &QToolButton::toggled, this, &LogsPage::setPaused);
    connect(m_wrap, &QCheckBox::toggled, m_list, &LogListWidget::setWrapLines);
    connect(m_showTime, &QCheckBox::toggled, m_list, &LogListWidget::setShowTime);
    connect(m_showLabels, &QCheckBox::toggled, m_list, &LogListWidget::setShowLabels);
    connect(m_order, &QComboBox::currentIndexChanged, this, [this] {
        if (!isLive())
            m_list->model()->reverse();
    });
    connect(m_list->model(), &LogListModel::droppedChanged, this, &LogsPage::updateDropped);
}

void LogsPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (QDateTime::currentMSecsSinceEpoch() - m_completionsFetchedMs > 60'000)
        refreshCompletions();
}

void LogsPage::refreshCompletions() {
    if (!m_reader || m_fetchingCompletions)
        return;
    m_fetchingCompletions = true;
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const logs::LogReader* reader = m_reader;
    auto* watcher = new QFutureWatcher<QStringList>(this);
    connect(watcher, &QFutureWatcher<QStringList>::finished, this, [this, watcher, nowMs] {
        m_fetchingCompletions = false;
        m_completionsFetchedMs = nowMs;
        static_cast<QStringListModel*>(m_completer->model())->setStringList(watcher->result());
        watcher->deleteLater();
        emit completionsReady();
    });
    watcher->setFuture(QtConcurrent::run([reader, nowMs] {
        auto series =
            reader->series({}, (nowMs - 6 * 3'600'000) * 1'000'000, (nowMs + 1) * 1'000'000);
        return series.isOk() ? streamSelectorCompletions(series.value()) : QStringList();
    }));
}

QStringList LogsPage::completions() const {
    return static_cast<QStringListModel*>(m_completer->model())->stringList();
}

void LogsPage::setQuery(const QString& query) {
    m_query->setText(query);
}
QString LogsPage::query() const {
    return m_query->text();
}
void LogsPage::setLimit(int limit) {
    m_limit->setValue(limit);
}

void LogsPage::setRelativeRange(const QString& duration) {
    const int i = m_range->findData(duration);
    if (i >= 0) {
        QSignalBlocker block(m_range);
        m_range->setCurrentIndex(i);
    }
}

void LogsPage::setNewestFirst(bool newestFirst) {
    QSignalBlocker block(m_order);
    const bool reorder = (m_order->currentIndex() == 0) != newestFirst;
    m_order->setCurrentIndex(newestFirst ? 0 : 1);
    if (reorder && !isLive())
        m_list->model()->reverse();
}

bool LogsPage::isLive() const {
    return m_live && m_live->isRunning();
}
bool LogsPage::isBusy() const {
    return m_runner->busy();
}
QString LogsPage::errorText() const {
    return m_error->isHidden() ? QString() : m_error->text();
}
QString LogsPage::statusText() const {
    return m_status->text();
}
QString LogsPage::droppedText() const {
    return m_dropped->isHidden() ? QString() : m_dropped->text();
}

void LogsPage::showError(const QString& error, int offset) {
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    if (offset >= 0) {
        // The offset counts bytes; map it to the query's characters.
        const QByteArray utf8 = m_query->text().toUtf8();
        const int chars = QString::fromUtf8(utf8.left(offset)).size();
        m_query->setCursorPosition(chars);
        m_query->setFocus();
    }
}

void LogsPage::runQuery() {
    if (isLive())
        setLive(false);
    const QString text = m_query->text().trimmed();
    if (text.isEmpty()) {
        showError(tr("Enter a LogQL query, e.g. {job=\"varlogs\"}"), -1);
        return;
    }
    const auto duration = parseDuration(m_range->currentData().toString().toStdString());
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const std::int64_t spanMs = duration.isOk() ? duration.value().count() : 3'600'000;
    LogQueryRequest request;
    request.query = text;
    request.endNs = (nowMs + 1) * 1'000'000;
    request.startNs = (nowMs - spanMs) * 1'000'000;
    request.limit = static_cast<std::size_t>(m_limit->value());
    request.newestFirst = m_order->currentIndex() == 0;
    request.volumeBuckets = kVolumeBuckets;
    m_status->setText(tr("Running…"));
    m_volume->setMessage(tr("Counting…"));
    m_request = m_runner->run(request);
}

void LogsPage::showAnswer(const LogQueryAnswer& answer) {
    if (!answer.error.isEmpty()) {
        showError(answer.error, answer.errorOffset);
        m_status->setText(QString());
        m_volume->setMessage(QString());
        m_list->model()->clear();
        emit queryFinished();
        return;
    }
    showError(QString(), -1);
    const std::size_t n = answer.rows.size();
    m_list->model()->setRows(answer.rows);
    m_status->setText(tr("%n line(s)%1, %2 ms", nullptr, static_cast<int>(n))
                          .arg(answer.limitReached ? tr(" (limit reached)") : QString())
                          .arg(answer.seconds * 1000, 0, 'f', 1));
    emit queryFinished();
}

void LogsPage::setLive(bool live) {
    if (!m_live)
        return;
    if (live == isLive()) {
        QSignalBlocker block(m_liveButton);
        m_liveButton->setChecked(live);
        return;
    }
    if (live) {
        const QString text = m_query->text().trimmed();
        Status started = m_live->start(text);
        if (!started.isOk()) {
            QSignalBlocker block(m_liveButton);
            m_liveButton->setChecked(false);
            showError(QString::fromStdString(started.message()), -1);
            return;
        }
        showError(QString(), -1);
        m_list->model()->clear();
        m_list->model()->setMaxRows(kLiveMaxRows);
        m_list->setFollowTail(true);
        m_volume->setMessage(tr("Live: streaming new lines"));
        m_status->setText(tr("Live"));
    } else {
        m_live->stop();
        m_list->setFollowTail(false);
        m_list->model()->setMaxRows(100000);
        m_status->setText(tr("Live stopped"));
    }
    QSignalBlocker block(m_liveButton);
    m_liveButton->setChecked(live);
    m_pauseButton->setEnabled(live);
    QSignalBlocker blockPause(m_pauseButton);
    m_pauseButton->setChecked(false);
    if (m_live)
        m_live->setPaused(false);
    m_order->setEnabled(!live);
    m_range->setEnabled(!live);
}

void LogsPage::setPaused(bool paused) {
    if (!isLive())
        return;
    m_live->setPaused(paused);
    {
        QSignalBlocker block(m_pauseButton);
        m_pauseButton->setChecked(paused);
    }
    m_pauseButton->setText(paused ? tr("Resume") : tr("Pause"));
    m_status->setText(paused ? tr("Live (paused)") : tr("Live"));
}

void LogsPage::onLiveBatch(const logs::live::LiveBatch& batch) {
    std::vector<LogRow> rows;
    rows.reserve(batch.entries.size());
    for (const auto& e : batch.entries)
        rows.push_back(rowFromLiveEntry(e));
    m_list->model()->append(std::move(rows));
    m_list->model()->addDropped(batch.dropped);
}

void LogsPage::updateDropped() {
    const quint64 n = m_list->model()->dropped();
    m_dropped->setText(tr("%1 lines dropped").arg(n));
    m_dropped->setVisible(n > 0);
}

}  // namespace vigil::logsui

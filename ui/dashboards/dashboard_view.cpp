#include "ui/dashboards/dashboard_view.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QScrollArea>
#include <QShortcut>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/dashboard/panel_queries.h"
#include "core/dashboard/time_range.h"
#include "ui/dashboards/dashboard_canvas.h"
#include "ui/dashboards/metrics_browser.h"
#include "ui/dashboards/panel_editor.h"
#include "ui/dashboards/panel_query_service.h"
#include "ui/panels/panel_widget.h"

namespace vigil::dashboards {
namespace {

struct RangePreset {
    const char* from;
    const char* label;
};
constexpr RangePreset kRanges[] = {
    {"now-5m", "Last 5 minutes"}, {"now-15m", "Last 15 minutes"}, {"now-30m", "Last 30 minutes"},
    {"now-1h", "Last 1 hour"},    {"now-3h", "Last 3 hours"},     {"now-6h", "Last 6 hours"},
    {"now-12h", "Last 12 hours"}, {"now-24h", "Last 24 hours"},   {"now-2d", "Last 2 days"},
    {"now-7d", "Last 7 days"},    {"now-30d", "Last 30 days"},
};
constexpr const char* kRefreshIntervals[] = {"",    "5s",  "10s", "30s", "1m", "5m",
                                             "15m", "30m", "1h",  "2h",  "1d"};

// The palette of panel types, a drag source for the canvas.
class PanelPalette : public QListWidget {
public:
    explicit PanelPalette(QWidget* parent) : QListWidget(parent) {
        setDragEnabled(true);
        setDragDropMode(QAbstractItemView::DragOnly);
        setMaximumWidth(160);
        for (const auto& [type, label] : std::initializer_list<std::pair<const char*, const char*>>{
                 {"timeseries", "Time series"},
                 {"stat", "Stat"},
                 {"gauge", "Gauge"},
                 {"bargauge", "Bar gauge"},
                 {"table", "Table"},
                 {"text", "Text"},
                 {"heatmap", "Heatmap"},
                 {"row", "Row"}}) {
            auto* item = new QListWidgetItem(QObject::tr(label), this);
            item->setData(Qt::UserRole, QString::fromLatin1(type));
        }
    }

protected:
    QMimeData* mimeData(const QList<QListWidgetItem*>& items) const override {
        auto* mime = new QMimeData();
        if (!items.isEmpty())
            mime->setData(QLatin1String(kPanelTypeMime),
                          items.first()->data(Qt::UserRole).toString().toUtf8());
        return mime;
    }
};

}  // namespace

DashboardView::DashboardView(std::shared_ptr<dashboard::MetricsSource> source,
                             dashboard::DashboardStore* store, QWidget* parent)
    : QWidget(parent), m_source(std::move(source)), m_store(store) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* toolbar = new QHBoxLayout();
    buildToolbar(toolbar);
    layout->addLayout(toolbar);
    m_variablesBar = new QWidget(this);
    new QHBoxLayout(m_variablesBar);
    m_variablesBar->layout()->setContentsMargins(4, 0, 4, 0);
    layout->addWidget(m_variablesBar);

    auto* body = new QHBoxLayout();
    m_palette = new PanelPalette(this);
    m_palette->setObjectName(QStringLiteral("panelPalette"));
    m_palette->hide();
    m_metrics = new MetricsBrowser(this);
    m_metrics->hide();
    auto* side = new QVBoxLayout();
    side->addWidget(m_palette, 1);
    side->addWidget(m_metrics, 2);
    body->addLayout(side);
    connect(&m_metricsWatcher, &QFutureWatcherBase::finished, this, [this] {
        auto result = m_metricsWatcher.result();
        if (result.isOk())
            m_metrics->setMetrics(std::move(*result));
        else
            m_metrics->setError(QString::fromStdString(result.status().message()));
    });
    m_scroll = new QScrollArea(this);
    m_scroll->setWidgetResizable(true);
    m_canvas = new DashboardCanvas(m_scroll);
    m_scroll->setWidget(m_canvas);
    body->addWidget(m_scroll, 1);
    layout->addLayout(body, 1);

    m_queries = new PanelQueryService(m_source, this);
    connect(m_queries, &PanelQueryService::panelDataReady, this,
            [this](int panelId, const panels::PanelData& data) {
                if (auto* widget = m_canvas->panelWidget(panelId))
                    widget->setData(data);
            });
    connect(m_queries, &PanelQueryService::idle, this, &DashboardView::refreshed);
    connect(m_canvas, &DashboardCanvas::panelsCreated, this, [this] {
        if (!m_refreshPending) {
            m_refreshPending = true;
            QTimer::singleShot(0, this, [this] {
                m_refreshPending = false;
                startQueries();
            });
        }
    });
    connect(m_canvas, &DashboardCanvas::changed, this, [this] {
        m_saveAction->setEnabled(isModified());
        emit titleChanged(m_dashboard.title + (isModified() ? QStringLiteral(" *") : QString()));
    });
    connect(m_canvas, &DashboardCanvas::editRequested, this, &DashboardView::editPanel);
    connect(m_canvas, &DashboardCanvas::timeRangeSelected, this, [this](qint64 from, qint64 to) {
        setTimeRange(QString::number(from), QString::number(to));
    });
    connect(&m_variables, &QFutureWatcher<void>::finished, this, [this] {
        auto [context, resolved] = m_variables.result();
        m_context = context;
        m_resolved = resolved;
        m_canvas->setInterpolation(m_context);
        rebuildVariablesBar();
        startQueries();
    });
    connect(&m_refreshTimer, &QTimer::timeout, this, &DashboardView::refresh);

    auto* save = new QShortcut(QKeySequence::Save, this);
    connect(save, &QShortcut::activated, this, &DashboardView::save);
    auto* undo = new QShortcut(QKeySequence::Undo, this);
    connect(undo, &QShortcut::activated, m_canvas->undoStack(), &QUndoStack::undo);
    auto* redo = new QShortcut(QKeySequence::Redo, this);
    connect(redo, &QShortcut::activated, m_canvas->undoStack(), &QUndoStack::redo);
    auto* remove = new QShortcut(QKeySequence::Delete, this);
    connect(remove, &QShortcut::activated, this, [this] {
        if (m_canvas->editMode())
            m_canvas->removePanels(m_canvas->selection());
    });
    auto* copy = new QShortcut(QKeySequence::Copy, this);
    connect(copy, &QShortcut::activated, this, [this] {
        auto* mime = new QMimeData();
        const QByteArray json = m_canvas->copyPanels(m_canvas->selection());
        mime->setData(QLatin1String(kPanelsMime), json);
        mime->setText(QString::fromUtf8(json));
        QGuiApplication::clipboard()->setMimeData(mime);
    });
    auto* paste = new QShortcut(QKeySequence::Paste, this);
    connect(paste, &QShortcut::activated, this, [this] {
        const QMimeData* mime = QGuiApplication::clipboard()->mimeData();
        if (mime && m_canvas->editMode())
            m_canvas->pastePanels(mime->hasFormat(QLatin1String(kPanelsMime))
                                      ? mime->data(QLatin1String(kPanelsMime))
                                      : mime->text().toUtf8());
    });
    auto* duplicate = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_D), this);
    connect(duplicate, &QShortcut::activated, this, [this] {
        if (m_canvas->editMode())
            for (int id : m_canvas->selection())
                m_canvas->duplicatePanel(id);
    });
}

void DashboardView::editPanel(int panelId) {
    const dashboard::Panel* panel = m_dashboard.findPanel(panelId);
    if (!panel || panel->isRow())
        return;
    PanelEditor editor(*panel, m_source, m_context, dashboard::ResolvedRange{m_fromMs, m_toMs},
                       this);
    if (editor.exec() == QDialog::Accepted && m_canvas->updatePanel(editor.panel()))
        startQueries();
}

void DashboardView::loadMetrics() {
    if (m_metricsWatcher.isRunning())
        return;
    m_metricsWatcher.setFuture(fetchMetricsAsync(m_source, QDateTime::currentMSecsSinceEpoch()));
}

DashboardView::~DashboardView() {
    // No event processing here: widgets are being destroyed. Running
    // queries finish on the pool; their answers find no receiver.
    m_variables.disconnect(this);
    m_variables.waitForFinished();
    m_metricsWatcher.disconnect(this);
    m_metricsWatcher.waitForFinished();
}

void DashboardView::buildToolbar(QHBoxLayout* layout) {
    layout->setContentsMargins(4, 4, 4, 4);
    auto* back = new QToolButton(this);
    back->setText(QStringLiteral("◀"));
    back->setToolTip(tr("Shift the time range back"));
    connect(back, &QToolButton::clicked, this, [this] { shiftTimeRange(-1); });
    m_timeCombo = new QComboBox(this);
    m_timeCombo->setObjectName(QStringLiteral("timeRange"));
    for (const RangePreset& preset : kRanges)
        m_timeCombo->addItem(tr(preset.label), QString::fromLatin1(preset.from));
    m_timeCombo->addItem(tr("Absolute range…"), QStringLiteral("absolute"));
    connect(m_timeCombo, &QComboBox::activated, this, [this](int index) {
        const QString from = m_timeCombo->itemData(index).toString();
        if (from == QLatin1String("absolute")) {
            bool ok = false;
            const QString text = QInputDialog::getText(
                this, tr("Absolute time range"),
                tr("From and to (ISO 8601), separated by \" to \":"), QLineEdit::Normal,
                QDateTime::fromMSecsSinceEpoch(m_fromMs).toString(Qt::ISODate) +
                    QStringLiteral(" to ") +
                    QDateTime::fromMSecsSinceEpoch(m_toMs).toString(Qt::ISODate),
                &ok);
            const QStringList parts = text.split(QStringLiteral(" to "));
            if (ok && parts.size() == 2)
                setTimeRange(parts[0].trimmed(), parts[1].trimmed());
            else
                updateTimeCombo();
            return;
        }
        if (!from.isEmpty())
            setTimeRange(from, QStringLiteral("now"));
    });
    auto* forward = new QToolButton(this);
    forward->setText(QStringLiteral("▶"));
    forward->setToolTip(tr("Shift the time range forward"));
    connect(forward, &QToolButton::clicked, this, [this] { shiftTimeRange(1); });
    auto* refreshButton = new QToolButton(this);
    refreshButton->setText(tr("Refresh"));
    connect(refreshButton, &QToolButton::clicked, this, &DashboardView::refresh);
    m_refreshCombo = new QComboBox(this);
    m_refreshCombo->setObjectName(QStringLiteral("refreshInterval"));
    for (const char* interval : kRefreshIntervals)
        m_refreshCombo->addItem(*interval ? QString::fromLatin1(interval) : tr("Off"),
                                QString::fromLatin1(interval));
    connect(m_refreshCombo, &QComboBox::activated, this,
            [this](int index) { setRefreshInterval(m_refreshCombo->itemData(index).toString()); });
    m_editButton = new QToolButton(this);
    m_editButton->setText(tr("Edit"));
    m_editButton->setCheckable(true);
    connect(m_editButton, &QToolButton::toggled, this, [this](bool on) {
        m_canvas->setEditMode(on);
        m_palette->setVisible(on);
        m_metrics->setVisible(on);
        if (on)
            loadMetrics();
        m_lockButton->setVisible(on);
    });
    m_lockButton = new QToolButton(this);
    m_lockButton->setText(tr("Lock layout"));
    m_lockButton->setCheckable(true);
    m_lockButton->hide();
    connect(m_lockButton, &QToolButton::toggled, this,
            [this](bool on) { m_canvas->setLayoutLocked(on); });
    auto* saveButton = new QToolButton(this);
    m_saveAction = new QAction(tr("Save"), this);
    m_saveAction->setEnabled(false);
    connect(m_saveAction, &QAction::triggered, this, &DashboardView::save);
    saveButton->setDefaultAction(m_saveAction);
    auto* title = new QLabel(this);
    title->setObjectName(QStringLiteral("dashboardTitle"));
    QFont font = title->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.2);
    title->setFont(font);
    connect(this, &DashboardView::titleChanged, title, &QLabel::setText);
    layout->addWidget(title);
    layout->addStretch(1);
    for (QWidget* w :
         std::initializer_list<QWidget*>{m_editButton, m_lockButton, saveButton, back, m_timeCombo,
                                         forward, refreshButton, m_refreshCombo})
        layout->addWidget(w);
}

void DashboardView::setDashboard(dashboard::Dashboard dashboard) {
    m_variables.waitForFinished();
    m_dashboard = std::move(dashboard);
    m_canvas->setDashboard(&m_dashboard);
    m_saveAction->setEnabled(false);
    updateTimeCombo();
    const int refreshIndex = m_refreshCombo->findData(m_dashboard.refresh);
    m_refreshCombo->setCurrentIndex(refreshIndex >= 0 ? refreshIndex : 0);
    setRefreshInterval(m_dashboard.refresh);
    emit titleChanged(m_dashboard.title);
    refresh();
}

void DashboardView::updateTimeCombo() {
    const int index = m_timeCombo->findData(m_dashboard.time.from);
    if (index >= 0 && m_dashboard.time.to == QLatin1String("now")) {
        m_timeCombo->setCurrentIndex(index);
        return;
    }
    const QString label = m_dashboard.time.from + QStringLiteral(" to ") + m_dashboard.time.to;
    int custom = m_timeCombo->findData(QStringLiteral("custom"));
    if (custom < 0) {
        m_timeCombo->insertItem(0, label, QStringLiteral("custom"));
        custom = 0;
    }
    m_timeCombo->setItemText(custom, label);
    m_timeCombo->setCurrentIndex(custom);
}

void DashboardView::setTimeRange(const QString& from, const QString& to) {
    m_dashboard.time.from = from;
    m_dashboard.time.to = to;
    updateTimeCombo();
    refresh();
}

void DashboardView::shiftTimeRange(int direction) {
    const qint64 span = m_toMs - m_fromMs;
    if (span <= 0)
        return;
    setTimeRange(QString::number(m_fromMs + direction * span),
                 QString::number(m_toMs + direction * span));
}

void DashboardView::setRefreshInterval(const QString& interval) {
    m_dashboard.refresh = interval;
    const auto ms = dashboard::parseGrafanaInterval(interval);
    if (ms && *ms > 0)
        m_refreshTimer.start(int(std::max<std::int64_t>(*ms, 1000)));
    else
        m_refreshTimer.stop();
}

void DashboardView::setVariableValue(const QString& name, const QStringList& values) {
    for (dashboard::Variable& variable : m_dashboard.variables)
        if (variable.name == name)
            variable.current = values;
    refresh();
}

void DashboardView::refresh() {
    auto range = dashboard::resolveTimeRange(
        m_dashboard.time.from, m_dashboard.time.to, QDateTime::currentMSecsSinceEpoch(),
        m_dashboard.raw.value(QStringLiteral("timezone")).toString() == QLatin1String("utc"));
    if (!range.isOk()) {
        QMessageBox::warning(this, tr("Time range"),
                             QString::fromStdString(range.status().message()));
        return;
    }
    m_fromMs = range->fromMs;
    m_toMs = range->toMs;
    for (int id : m_canvas->visiblePanelIds())
        if (auto* widget = m_canvas->panelWidget(id))
            widget->setLoading(true);
    if (m_variables.isRunning())
        return;  // the running resolution is followed by queries
    dashboard::VariableResolveContext resolve;
    resolve.source = m_source.get();
    resolve.fromMs = m_fromMs;
    resolve.toMs = m_toMs;
    resolve.intervalMs =
        dashboard::calculateIntervalMs(m_toMs - m_fromMs, std::max(200, width()), 0);
    const dashboard::Dashboard snapshot = m_dashboard;
    auto source = m_source;  // keeps it alive on the worker
    m_variables.setFuture(QtConcurrent::run([snapshot, resolve, source] {
        std::vector<dashboard::ResolvedVariable> resolved;
        dashboard::InterpolationContext context =
            dashboard::resolveDashboardVariables(snapshot, resolve, &resolved);
        return std::make_pair(context, resolved);
    }));
}

void DashboardView::startQueries() {
    const dashboard::ResolvedRange range{m_fromMs, m_toMs};
    for (int id : m_canvas->visiblePanelIds()) {
        const dashboard::Panel* panel = m_dashboard.findPanel(id);
        panels::PanelWidget* widget = m_canvas->panelWidget(id);
        if (!panel || !widget)
            continue;
        auto planned = dashboard::planPanelQueries(
            *panel, range, m_context,
            dashboard::PanelQueryOptions{std::max(100, widget->width()), 15000});
        if (planned.empty()) {
            widget->setLoading(false);
            continue;
        }
        widget->setLoading(true);
        m_queries->refresh(id, std::move(planned), m_fromMs, m_toMs);
    }
}

void DashboardView::rebuildVariablesBar() {
    QLayout* layout = m_variablesBar->layout();
    while (QLayoutItem* item = layout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const dashboard::ResolvedVariable& resolved : m_resolved) {
        const dashboard::Variable* variable = nullptr;
        for (const auto& v : m_dashboard.variables)
            if (v.name == resolved.name)
                variable = &v;
        if (!variable || variable->raw.value(QStringLiteral("hide")).toInt() == 2)
            continue;
        auto* label = new QLabel(variable->label.isEmpty() ? variable->name : variable->label,
                                 m_variablesBar);
        layout->addWidget(label);
        if (variable->type == QLatin1String("textbox")) {
            auto* edit = new QLineEdit(resolved.value.values.value(0), m_variablesBar);
            const QString name = variable->name;
            connect(edit, &QLineEdit::editingFinished, this,
                    [this, edit, name] { setVariableValue(name, {edit->text()}); });
            layout->addWidget(edit);
            continue;
        }
        auto* button = new QToolButton(m_variablesBar);
        button->setObjectName(QStringLiteral("variable-") + variable->name);
        button->setPopupMode(QToolButton::InstantPopup);
        button->setText(resolved.value.isAll ? tr("All")
                                             : resolved.value.values.join(QStringLiteral(" + ")));
        if (!resolved.error.isEmpty())
            button->setToolTip(resolved.error);
        auto* menu = new QMenu(button);
        const QString name = variable->name;
        const bool multi = variable->multi;
        if (variable->includeAll) {
            QAction* all = menu->addAction(tr("All"));
            all->setCheckable(true);
            all->setChecked(resolved.value.isAll);
            connect(all, &QAction::triggered, this,
                    [this, name] { setVariableValue(name, {QStringLiteral("$__all")}); });
        }
        for (const dashboard::VariableOption& option : resolved.options) {
            QAction* action = menu->addAction(option.text);
            action->setCheckable(true);
            action->setChecked(!resolved.value.isAll &&
                               resolved.value.values.contains(option.value));
            const QString value = option.value;
            connect(action, &QAction::triggered, this, [this, name, value, multi, menu] {
                QStringList values{value};
                if (multi) {
                    values.clear();
                    for (QAction* a : menu->actions())
                        if (a->isChecked() && a->text() != tr("All"))
                            values << a->text();
                }
                setVariableValue(name, values);
            });
        }
        button->setMenu(menu);
        layout->addWidget(button);
    }
    static_cast<QHBoxLayout*>(layout)->addStretch(1);
}

bool DashboardView::isModified() const {
    return !m_canvas->undoStack()->isClean();
}

bool DashboardView::save() {
    if (!m_store)
        return false;
    if (Status status = m_store->save(m_dashboard); !status) {
        QMessageBox::warning(this, tr("Save dashboard"), QString::fromStdString(status.message()));
        return false;
    }
    m_canvas->undoStack()->setClean();
    m_saveAction->setEnabled(false);
    emit titleChanged(m_dashboard.title);
    emit saved(m_dashboard.uid);
    return true;
}

bool DashboardView::maybeSave() {
    if (!isModified())
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved changes"), tr("Save the changes to \"%1\"?").arg(m_dashboard.title),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save)
        return save();
    return true;
}

}  // namespace vigil::dashboards

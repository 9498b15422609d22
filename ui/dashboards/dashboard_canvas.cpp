#include "ui/dashboards/dashboard_canvas.h"

#include <QDragEnterEvent>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMimeData>
#include <QMouseEvent>
#include <QPainter>
#include <QUndoStack>

#include <algorithm>

#include "ui/panels/logs_panel.h"
#include "ui/panels/panel_factory.h"
#include "ui/panels/panel_widget.h"

namespace vigil::dashboards {

using dashboard::GridItem;
using dashboard::GridLayout;
using dashboard::Panel;

namespace {

constexpr int kMargin = 8;  // Grafana's GRID_CELL_VMARGIN, also between columns

QString panelTitleFor(const QString& type) {
    if (type == QLatin1String("timeseries"))
        return QObject::tr("Time series");
    if (type == QLatin1String("bargauge"))
        return QObject::tr("Bar gauge");
    if (type == QLatin1String("row"))
        return QObject::tr("Row title");
    QString title = type;
    if (!title.isEmpty())
        title[0] = title[0].toUpper();
    return title;
}

}  // namespace

// A collapsible row's title bar.
class RowHeader : public QLabel {
public:
    RowHeader(int id, DashboardCanvas* canvas) : QLabel(canvas), m_id(id), m_canvas(canvas) {
        setCursor(Qt::PointingHandCursor);
        QFont f = font();
        f.setBold(true);
        f.setPointSizeF(f.pointSizeF() * 1.1);
        setFont(f);
    }
    void setRow(const dashboard::Panel& row, const dashboard::InterpolationContext& context) {
        const QString title =
            dashboard::interpolate(row.title, context, dashboard::InterpolationTarget::kText);
        setText((row.collapsed ? QStringLiteral("▸ ") : QStringLiteral("▾ ")) + title +
                (row.collapsed ? QStringLiteral("  (%1)").arg(row.children.size()) : QString()));
    }

protected:
    void mouseReleaseEvent(QMouseEvent* event) override {
        if (event->button() == Qt::LeftButton)
            m_canvas->toggleRow(m_id);
    }

private:
    int m_id;
    DashboardCanvas* m_canvas;
};

// The bottom-right corner of a panel in edit mode.
class ResizeHandle : public QWidget {
public:
    ResizeHandle(int id, DashboardCanvas* canvas) : QWidget(canvas), m_id(id), m_canvas(canvas) {
        setFixedSize(12, 12);
        setCursor(Qt::SizeFDiagCursor);
    }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        p.setPen(palette().color(QPalette::Mid));
        for (int i = 3; i < 12; i += 4)
            p.drawLine(12, i, i, 12);
    }
    void mouseMoveEvent(QMouseEvent* event) override {
        if (event->buttons() & Qt::LeftButton)
            m_canvas->resizeDragged(m_id, event->globalPosition().toPoint(), false);
    }
    void mouseReleaseEvent(QMouseEvent* event) override {
        if (event->button() == Qt::LeftButton)
            m_canvas->resizeDragged(m_id, event->globalPosition().toPoint(), true);
    }

private:
    int m_id;
    DashboardCanvas* m_canvas;
};

// One undoable edit: the dashboard before and after.
class SnapshotCommand : public QUndoCommand {
public:
    SnapshotCommand(DashboardCanvas* canvas, const QString& text, dashboard::Dashboard before,
                    dashboard::Dashboard after)
        : QUndoCommand(text),
          m_canvas(canvas),
          m_before(std::move(before)),
          m_after(std::move(after)) {}
    void undo() override { m_canvas->restore(m_before); }
    void redo() override {
        if (m_first) {  // the edit is already applied
            m_first = false;
            return;
        }
        m_canvas->restore(m_after);
    }

private:
    DashboardCanvas* m_canvas;
    dashboard::Dashboard m_before;
    dashboard::Dashboard m_after;
    bool m_first = true;
};

DashboardCanvas::DashboardCanvas(QWidget* parent) : QWidget(parent), m_undo(new QUndoStack(this)) {
    setAcceptDrops(true);
}

DashboardCanvas::~DashboardCanvas() = default;

void DashboardCanvas::setDashboard(dashboard::Dashboard* dashboard) {
    m_dashboard = dashboard;
    m_undo->clear();
    m_selection.clear();
    rebuild();
}

void DashboardCanvas::setInterpolation(const dashboard::InterpolationContext& context) {
    m_context = context;
    if (!m_dashboard)
        return;
    for (const Panel& panel : m_dashboard->panels) {
        if (panel.isRow()) {
            if (auto header = m_rows[panel.id])
                header->setRow(panel, m_context);
        } else if (auto widget = m_widgets[panel.id]) {
            widget->setPanel(panel, m_context);
        }
    }
}

void DashboardCanvas::rebuild() {
    for (auto& [id, widget] : m_widgets)
        delete widget.data();
    for (auto& [id, header] : m_rows)
        delete header.data();
    for (auto& [id, handle] : m_handles)
        delete handle.data();
    m_widgets.clear();
    m_rows.clear();
    m_handles.clear();
    if (!m_dashboard)
        return;
    std::vector<int> created;
    for (const Panel& panel : m_dashboard->panels) {
        if (panel.isRow()) {
            auto* header = new RowHeader(panel.id, this);
            header->setRow(panel, m_context);
            header->show();
            m_rows[panel.id] = header;
            continue;
        }
        panels::PanelWidget* widget = panels::createPanelWidget(panel.type, this);
        if (auto* logsPanel = qobject_cast<panels::LogsPanel*>(widget))
            logsPanel->setLiveTail(m_liveTail);
        widget->setPanel(panel, m_context);
        widget->header()->installEventFilter(this);
        widget->header()->setProperty("panelId", panel.id);
        connect(widget, &panels::PanelWidget::timeRangeSelected, this,
                &DashboardCanvas::timeRangeSelected);
        widget->show();
        m_widgets[panel.id] = widget;
        auto* handle = new ResizeHandle(panel.id, this);
        handle->setVisible(m_editMode && !m_locked);
        m_handles[panel.id] = handle;
        created.push_back(panel.id);
    }
    relayout();
    if (!created.empty())
        emit panelsCreated(created);
}

double DashboardCanvas::columnWidth() const {
    return (double(width()) - kMargin) / dashboard::kGridColumns;
}

QRect DashboardCanvas::cellRect(const GridItem& item) const {
    const double column = columnWidth();
    const int x = int(kMargin + item.x * column);
    const int y = kMargin + item.y * (dashboard::kGridCellHeightPx + dashboard::kGridCellMarginPx);
    const int w = int(item.w * column) - kMargin;
    return QRect(x, y, std::max(10, w), dashboard::gridHeightPx(item.h));
}

QPoint DashboardCanvas::gridPositionAt(const QPoint& pixel, int w, int h) const {
    const int x = int(std::lround((pixel.x() - kMargin) / std::max(1.0, columnWidth())));
    const int y = int(std::lround(double(pixel.y() - kMargin) /
                                  (dashboard::kGridCellHeightPx + dashboard::kGridCellMarginPx)));
    Q_UNUSED(h);
    return QPoint(
        std::clamp(x, 0, dashboard::kGridColumns - std::clamp(w, 1, dashboard::kGridColumns)),
        std::max(0, y));
}

void DashboardCanvas::applyLayout(const GridLayout& layout, int followingId) {
    for (const GridItem& item : layout.items()) {
        if (item.id == followingId)
            continue;
        const QRect rect = cellRect(item);
        if (auto widget = m_widgets.count(item.id) ? m_widgets[item.id] : nullptr) {
            widget->setGeometry(rect);
            if (auto handle = m_handles[item.id])
                handle->move(rect.right() - handle->width() + 1,
                             rect.bottom() - handle->height() + 1);
        } else if (auto header = m_rows.count(item.id) ? m_rows[item.id] : nullptr) {
            header->setGeometry(rect.x(), rect.y(),
                                int(dashboard::kGridColumns * columnWidth()) - kMargin,
                                dashboard::kGridCellHeightPx);
        }
    }
    for (auto& [id, handle] : m_handles)
        if (handle)
            handle->raise();
}

void DashboardCanvas::relayout() {
    if (!m_dashboard)
        return;
    applyLayout(m_dashboard->layout());
    updateMinimumHeight();
    update();
}

void DashboardCanvas::updateMinimumHeight() {
    if (!m_dashboard)
        return;
    const int rows = m_dashboard->layout().bottom();
    setMinimumHeight(kMargin +
                     rows * (dashboard::kGridCellHeightPx + dashboard::kGridCellMarginPx) +
                     (m_editMode ? 200 : kMargin));
}

void DashboardCanvas::resizeEvent(QResizeEvent*) {
    relayout();
}

void DashboardCanvas::setEditMode(bool on) {
    m_editMode = on;
    for (auto& [id, handle] : m_handles)
        if (handle)
            handle->setVisible(on && !m_locked);
    for (auto& [id, widget] : m_widgets)
        if (widget)
            widget->header()->setCursor(on && !m_locked ? Qt::OpenHandCursor : Qt::ArrowCursor);
    updateMinimumHeight();
    update();
}

void DashboardCanvas::setLayoutLocked(bool locked) {
    m_locked = locked;
    setEditMode(m_editMode);
}

panels::PanelWidget* DashboardCanvas::panelWidget(int id) const {
    auto it = m_widgets.find(id);
    return it == m_widgets.end() ? nullptr : it->second.data();
}

std::vector<int> DashboardCanvas::visiblePanelIds() const {
    std::vector<int> ids;
    for (const auto& [id, widget] : m_widgets)
        ids.push_back(id);
    return ids;
}

void DashboardCanvas::pushSnapshot(const QString& text, const dashboard::Dashboard& before) {
    m_undo->push(new SnapshotCommand(this, text, before, *m_dashboard));
    emit changed();
}

void DashboardCanvas::restore(const dashboard::Dashboard& state) {
    *m_dashboard = state;
    m_selection.clear();
    rebuild();
    emit changed();
}

bool DashboardCanvas::movePanel(int id, int x, int y) {
    if (!m_dashboard || m_locked)
        return false;
    const dashboard::Dashboard before = *m_dashboard;
    GridLayout layout = m_dashboard->layout();
    if (!layout.move(id, x, y))
        return false;
    m_dashboard->applyLayout(layout);
    relayout();
    pushSnapshot(tr("Move panel"), before);
    return true;
}

bool DashboardCanvas::resizePanel(int id, int w, int h) {
    if (!m_dashboard || m_locked || !m_widgets.count(id))
        return false;
    const dashboard::Dashboard before = *m_dashboard;
    GridLayout layout = m_dashboard->layout();
    if (!layout.resize(id, w, h))
        return false;
    m_dashboard->applyLayout(layout);
    relayout();
    pushSnapshot(tr("Resize panel"), before);
    return true;
}

int DashboardCanvas::nextId() const {
    return m_dashboard ? m_dashboard->nextPanelId() : 1;
}

Panel DashboardCanvas::makePanel(const QString& type, const QString& title, int x, int y, int w,
                                 int h) const {
    Panel panel;
    panel.id = nextId();
    panel.type = type;
    panel.title = title;
    panel.gridPos =
        GridItem{panel.id,
                 x,
                 y,
                 w,
                 type == QLatin1String("row") ? 1 : std::max(h, dashboard::kMinPanelHeight),
                 false};
    if (type == QLatin1String("row")) {
        panel.gridPos.x = 0;
        panel.gridPos.w = dashboard::kGridColumns;
    }
    if (type != QLatin1String("row") && type != QLatin1String("text")) {
        dashboard::Target target;
        target.refId = QStringLiteral("A");
        panel.targets.push_back(target);
        panel.datasource =
            dashboard::DataSourceRef{QStringLiteral("prometheus"), QStringLiteral("$datasource")};
    }
    if (type == QLatin1String("text"))
        panel.raw.insert(QStringLiteral("options"),
                         QJsonObject{{QStringLiteral("mode"), QStringLiteral("markdown")},
                                     {QStringLiteral("content"), tr("Write *markdown* here.")}});
    return panel;
}

void DashboardCanvas::insertPanel(Panel panel, int x, int y) {
    const int id = panel.id;
    const GridItem item = panel.gridPos;
    m_dashboard->panels.push_back(std::move(panel));
    GridLayout layout = m_dashboard->layout();
    layout.remove(id);
    GridItem placed = item;
    placed.x = x;
    placed.y = y;
    layout.insert(placed);
    m_dashboard->applyLayout(layout);
}

int DashboardCanvas::addPanel(const QString& type, int x, int y, int w, int h) {
    if (!m_dashboard || m_locked)
        return 0;
    const dashboard::Dashboard before = *m_dashboard;
    Panel panel = makePanel(type, panelTitleFor(type), x, y, w, h);
    const int id = panel.id;
    insertPanel(std::move(panel), x, y);
    rebuild();
    pushSnapshot(tr("Add %1 panel").arg(type), before);
    return id;
}

int DashboardCanvas::addMetricPanel(const QString& metric, const QString& metricType, int x,
                                    int y) {
    if (!m_dashboard || m_locked)
        return 0;
    const dashboard::Dashboard before = *m_dashboard;
    Panel panel = makePanel(QStringLiteral("timeseries"), metric, x, y, 12, 8);
    dashboard::Target& target = panel.targets.front();
    QString base = metric;
    const bool histogram =
        metricType == QLatin1String("histogram") || metric.endsWith(QLatin1String("_bucket"));
    if (histogram) {
        if (base.endsWith(QLatin1String("_bucket")))
            base.chop(7);
        target.expr =
            QStringLiteral(
                "histogram_quantile(0.95, sum by (le) (rate(%1_bucket[$__rate_interval])))")
                .arg(base);
        target.legendFormat = QStringLiteral("p95");
        panel.title = base + QStringLiteral(" p95");
    } else if (metricType == QLatin1String("counter") || metric.endsWith(QLatin1String("_total"))) {
        target.expr = QStringLiteral("rate(%1[$__rate_interval])").arg(metric);
        panel.title = metric + QStringLiteral(" per second");
    } else {
        target.expr = metric;
    }
    const int id = panel.id;
    insertPanel(std::move(panel), x, y);
    rebuild();
    pushSnapshot(tr("Add panel for %1").arg(metric), before);
    return id;
}

bool DashboardCanvas::toggleRow(int rowId) {
    if (!m_dashboard)
        return false;
    const dashboard::Dashboard before = *m_dashboard;
    if (!m_dashboard->toggleRow(rowId))
        return false;
    rebuild();
    pushSnapshot(tr("Toggle row"), before);
    emit rowToggled(rowId);
    return true;
}

bool DashboardCanvas::removePanels(const std::set<int>& ids) {
    if (!m_dashboard || m_locked || ids.empty())
        return false;
    const dashboard::Dashboard before = *m_dashboard;
    auto& panels = m_dashboard->panels;
    const auto old = panels.size();
    panels.erase(std::remove_if(panels.begin(), panels.end(),
                                [&](const Panel& p) { return ids.count(p.id) > 0; }),
                 panels.end());
    if (panels.size() == old)
        return false;
    GridLayout layout = m_dashboard->layout();
    layout.compact();
    m_dashboard->applyLayout(layout);
    m_selection.clear();
    rebuild();
    pushSnapshot(tr("Remove panels"), before);
    return true;
}

QByteArray DashboardCanvas::copyPanels(const std::set<int>& ids) const {
    QJsonArray array;
    if (!m_dashboard)
        return {};
    dashboard::Dashboard scratch;
    for (int id : ids)
        if (const Panel* panel = m_dashboard->findPanel(id)) {
            scratch.panels = {*panel};
            array.append(scratch.toObject().value(QStringLiteral("panels")).toArray().first());
        }
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

std::vector<int> DashboardCanvas::pastePanels(const QByteArray& json) {
    std::vector<int> ids;
    if (!m_dashboard || m_locked)
        return ids;
    const QJsonArray array = QJsonDocument::fromJson(json).array();
    if (array.isEmpty())
        return ids;
    auto parsed = dashboard::Dashboard::fromObject(
        QJsonObject{{QStringLiteral("title"), QStringLiteral("paste")},
                    {QStringLiteral("panels"), array}},
        QStringLiteral("clipboard"));
    if (!parsed.isOk())
        return ids;
    const dashboard::Dashboard before = *m_dashboard;
    const int bottom = m_dashboard->layout().bottom();
    int minY = std::numeric_limits<int>::max();
    for (const Panel& p : parsed->panels)
        minY = std::min(minY, p.gridPos.y);
    for (Panel panel : parsed->panels) {
        panel.id = nextId();
        panel.gridPos.id = panel.id;
        panel.gridPos.y = bottom + panel.gridPos.y - minY;
        m_dashboard->panels.push_back(panel);
        for (Panel& child : m_dashboard->panels.back().children) {
            child.id = nextId();
            child.gridPos.id = child.id;
        }
        ids.push_back(panel.id);
    }
    GridLayout layout = m_dashboard->layout();
    layout.compact();
    m_dashboard->applyLayout(layout);
    rebuild();
    pushSnapshot(tr("Paste panels"), before);
    return ids;
}

int DashboardCanvas::duplicatePanel(int id) {
    if (!m_dashboard || m_locked)
        return 0;
    const Panel* source = m_dashboard->findPanel(id);
    if (!source || source->isRow())
        return 0;
    const dashboard::Dashboard before = *m_dashboard;
    Panel copy = *source;
    copy.id = nextId();
    copy.gridPos.id = copy.id;
    const int x = source->gridPos.x + source->gridPos.w + copy.gridPos.w <= dashboard::kGridColumns
                      ? source->gridPos.x + source->gridPos.w
                      : source->gridPos.x;
    const int y = source->gridPos.y;
    const int newId = copy.id;
    insertPanel(std::move(copy), x, y);
    rebuild();
    pushSnapshot(tr("Duplicate panel"), before);
    return newId;
}

bool DashboardCanvas::updatePanel(const Panel& edited) {
    if (!m_dashboard)
        return false;
    Panel* panel = m_dashboard->findPanel(edited.id);
    if (!panel || panel->isRow())
        return false;
    const dashboard::Dashboard before = *m_dashboard;
    const GridItem place = panel->gridPos;
    *panel = edited;
    panel->gridPos = place;
    rebuild();
    pushSnapshot(tr("Edit panel"), before);
    return true;
}

void DashboardCanvas::setSelection(std::set<int> ids) {
    m_selection = std::move(ids);
    for (auto& [id, widget] : m_widgets)
        if (widget)
            widget->setProperty("selected", m_selection.count(id) > 0);
    update();
}

bool DashboardCanvas::eventFilter(QObject* watched, QEvent* event) {
    const QVariant idValue = watched->property("panelId");
    if (!idValue.isValid() || !m_editMode)
        return QWidget::eventFilter(watched, event);
    const int id = idValue.toInt();
    auto widget = panelWidget(id);
    if (!widget)
        return false;
    switch (event->type()) {
        case QEvent::MouseButtonPress: {
            auto* mouse = static_cast<QMouseEvent*>(event);
            if (mouse->button() != Qt::LeftButton)
                return false;
            if (mouse->modifiers() & Qt::ControlModifier) {
                std::set<int> selection = m_selection;
                if (!selection.erase(id))
                    selection.insert(id);
                setSelection(selection);
                return true;
            }
            setSelection({id});
            if (m_locked)
                return true;
            m_dragId = id;
            m_dragOffset = widget->mapFromGlobal(mouse->globalPosition().toPoint());
            widget->raise();
            widget->header()->setCursor(Qt::ClosedHandCursor);
            return true;
        }
        case QEvent::MouseMove: {
            if (m_dragId != id)
                return false;
            auto* mouse = static_cast<QMouseEvent*>(event);
            const QPoint topLeft = mapFromGlobal(mouse->globalPosition().toPoint()) - m_dragOffset;
            widget->move(topLeft);
            const Panel* panel = m_dashboard->findPanel(id);
            const QPoint target = gridPositionAt(topLeft, panel->gridPos.w, panel->gridPos.h);
            if (target != m_dragTarget) {
                // Live preview: the others make room as they will on drop.
                m_dragTarget = target;
                GridLayout preview = m_dashboard->layout();
                preview.move(id, target.x(), target.y());
                applyLayout(preview, id);
            }
            return true;
        }
        case QEvent::MouseButtonRelease: {
            if (m_dragId != id)
                return false;
            m_dragId = 0;
            widget->header()->setCursor(Qt::OpenHandCursor);
            const QPoint target = m_dragTarget;
            m_dragTarget = QPoint(-1, -1);
            const Panel* panel = m_dashboard->findPanel(id);
            if (target.x() >= 0 && panel &&
                (target.x() != panel->gridPos.x || target.y() != panel->gridPos.y))
                movePanel(id, target.x(), target.y());
            else
                relayout();
            return true;
        }
        default:
            return false;
    }
}

void DashboardCanvas::resizeDragged(int id, const QPoint& globalPos, bool finished) {
    auto widget = panelWidget(id);
    const Panel* panel = m_dashboard ? m_dashboard->findPanel(id) : nullptr;
    if (!widget || !panel || m_locked)
        return;
    const QPoint local = mapFromGlobal(globalPos);
    const QRect rect = widget->geometry();
    const int w = std::clamp(
        int(std::lround((local.x() - rect.left() + kMargin) / std::max(1.0, columnWidth()))), 1,
        dashboard::kGridColumns - panel->gridPos.x);
    const int h =
        std::max(dashboard::kMinPanelHeight,
                 int(std::lround(double(local.y() - rect.top() + kMargin) /
                                 (dashboard::kGridCellHeightPx + dashboard::kGridCellMarginPx))));
    if (!finished) {
        GridLayout preview = m_dashboard->layout();
        preview.resize(id, w, h);
        applyLayout(preview);
        return;
    }
    if (w != panel->gridPos.w || h != panel->gridPos.h)
        resizePanel(id, w, h);
    else
        relayout();
}

void DashboardCanvas::dragEnterEvent(QDragEnterEvent* event) {
    const QMimeData* mime = event->mimeData();
    if (m_dashboard && !m_locked &&
        (mime->hasFormat(QLatin1String(kPanelTypeMime)) ||
         mime->hasFormat(QLatin1String(kMetricMime))))
        event->acceptProposedAction();
}

void DashboardCanvas::dragMoveEvent(QDragMoveEvent* event) {
    const QPoint cell = gridPositionAt(event->position().toPoint(), 12, 8);
    m_dropPreview = cellRect(GridItem{0, cell.x(), cell.y(), 12, 8, false});
    update();
    event->acceptProposedAction();
}

void DashboardCanvas::dragLeaveEvent(QDragLeaveEvent*) {
    m_dropPreview = QRect();
    update();
}

void DashboardCanvas::dropEvent(QDropEvent* event) {
    m_dropPreview = QRect();
    const QPoint cell = gridPositionAt(event->position().toPoint(), 12, 8);
    const QMimeData* mime = event->mimeData();
    if (mime->hasFormat(QLatin1String(kPanelTypeMime))) {
        const QString type = QString::fromUtf8(mime->data(QLatin1String(kPanelTypeMime)));
        addPanel(type, cell.x(), cell.y(), type == QLatin1String("row") ? 24 : 12,
                 type == QLatin1String("row") ? 1 : 8);
    } else if (mime->hasFormat(QLatin1String(kMetricMime))) {
        const QJsonObject metric =
            QJsonDocument::fromJson(mime->data(QLatin1String(kMetricMime))).object();
        addMetricPanel(metric.value(QStringLiteral("name")).toString(),
                       metric.value(QStringLiteral("type")).toString(), cell.x(), cell.y());
    }
    event->acceptProposedAction();
    update();
}

void DashboardCanvas::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    if (m_editMode) {
        // The 24 columns, faintly.
        QColor line = palette().color(QPalette::Mid);
        line.setAlpha(60);
        painter.setPen(line);
        const double column = columnWidth();
        for (int c = 0; c <= dashboard::kGridColumns; ++c)
            painter.drawLine(QPointF(kMargin / 2.0 + c * column, 0),
                             QPointF(kMargin / 2.0 + c * column, height()));
    }
    for (int id : m_selection)
        if (auto widget = panelWidget(id)) {
            painter.setPen(QPen(palette().color(QPalette::Highlight), 2));
            painter.drawRect(widget->geometry().adjusted(-2, -2, 1, 1));
        }
    if (!m_dropPreview.isNull()) {
        QColor fill = palette().color(QPalette::Highlight);
        fill.setAlpha(50);
        painter.fillRect(m_dropPreview, fill);
    }
}

}  // namespace vigil::dashboards

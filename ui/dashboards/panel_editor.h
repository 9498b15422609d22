#pragma once

#include <QDialog>

#include <memory>

#include "core/dashboard/dashboard.h"
#include "core/dashboard/interpolation.h"
#include "core/dashboard/metrics_source.h"
#include "core/dashboard/time_range.h"

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QVBoxLayout;

namespace vigil::panels {
class PanelWidget;
}

namespace vigil::dashboards {

class PanelQueryService;
class PromQLEditor;

// Edits one panel with a live preview: its queries (PromQL editor with
// highlighting, completion and errors underlined) and legend formats, the
// visualization type, title, unit, min/max/decimals and thresholds. The
// preview refreshes as you type (debounced), through the same query
// service the dashboard uses; OK hands the edited panel back.
class PanelEditor : public QDialog {
    Q_OBJECT
public:
    PanelEditor(const dashboard::Panel& panel, std::shared_ptr<dashboard::MetricsSource> source,
                dashboard::InterpolationContext context, dashboard::ResolvedRange range,
                QWidget* parent = nullptr);
    ~PanelEditor() override;

    // The panel as edited so far.
    dashboard::Panel panel() const;
    panels::PanelWidget* preview() const { return m_preview; }
    PanelQueryService* queryService() const { return m_queries; }
    std::vector<PromQLEditor*> queryEditors() const;
    QLineEdit* legendEditor(int index) const;
    QComboBox* typeBox() const { return m_type; }
    QLineEdit* titleEditor() const { return m_title; }
    QComboBox* unitBox() const { return m_unit; }
    QLineEdit* thresholdsEditor() const { return m_thresholds; }

    // "green; 80 orange; 90 red" <-> Grafana's threshold steps.
    static QJsonArray parseThresholds(const QString& text, QString* error);
    static QString formatThresholds(const QJsonArray& steps);

public slots:
    void refreshPreview();
    void addQuery(const QString& expr = {}, const QString& legend = {});

private:
    void rebuildPreviewWidget();

    dashboard::Panel m_panel;
    std::shared_ptr<dashboard::MetricsSource> m_source;
    dashboard::InterpolationContext m_context;
    dashboard::ResolvedRange m_range;
    PanelQueryService* m_queries = nullptr;
    QWidget* m_previewHost = nullptr;
    panels::PanelWidget* m_preview = nullptr;
    QComboBox* m_type = nullptr;
    QLineEdit* m_title = nullptr;
    QComboBox* m_unit = nullptr;
    QLineEdit* m_min = nullptr;
    QLineEdit* m_max = nullptr;
    QSpinBox* m_decimals = nullptr;
    QLineEdit* m_thresholds = nullptr;
    QVBoxLayout* m_queryLayout = nullptr;
    std::vector<std::pair<PromQLEditor*, QLineEdit*>> m_targets;
    QTimer* m_debounce = nullptr;
};

}  // namespace vigil::dashboards

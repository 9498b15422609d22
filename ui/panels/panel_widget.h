#pragma once

#include <QFrame>

#include "core/dashboard/dashboard.h"
#include "core/dashboard/interpolation.h"
#include "ui/panels/panel_data.h"

class QLabel;
class QStackedLayout;

namespace vigil::panels {

// The frame every dashboard panel lives in: a header with the title (the
// drag handle in edit mode) and a body that shows the visualization, or
// the query error inside the panel, or "No data" — a panel is never
// silently blank. Subclasses draw one panel type from PanelData; they never
// query anything themselves (the query service hands data in).
class PanelWidget : public QFrame {
    Q_OBJECT
public:
    explicit PanelWidget(QWidget* parent = nullptr);

    // Reads the panel's options; may be called again after an edit.
    void setPanel(const dashboard::Panel& panel,
                  const dashboard::InterpolationContext& context = {});
    const dashboard::Panel& panel() const { return m_panel; }

    void setData(const PanelData& data);
    const PanelData& data() const { return m_data; }
    void setLoading(bool loading);

    QWidget* header() const { return m_header; }
    // What the body shows now: "content", "error", "no-data".
    QString bodyState() const;
    QString messageText() const;

    // Panels that render without queries (text) return false.
    virtual bool needsData() const { return true; }

signals:
    // The user dragged across a time range (timeseries zoom).
    void timeRangeSelected(qint64 fromMs, qint64 toMs);

protected:
    // Builds the visualization widget once (owned by this frame).
    virtual QWidget* createContent() = 0;
    virtual void configure(const dashboard::Panel& panel,
                           const dashboard::InterpolationContext& context);
    // Draws `data` (REQUIRES: no error; has data unless !needsData()).
    virtual void render(const PanelData& data) = 0;

    const FieldOptions& fieldOptions() const { return m_fieldOptions; }

    // For panels that receive rows outside setData() (live logs): shows the
    // content instead of "No data"; an error stays shown.
    void showLiveContent();

private:
    void showMessage(const QString& text, bool isError);

    dashboard::Panel m_panel;
    FieldOptions m_fieldOptions;
    PanelData m_data;
    QWidget* m_header = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_loading = nullptr;
    QStackedLayout* m_body = nullptr;
    QWidget* m_content = nullptr;
    QLabel* m_message = nullptr;
    bool m_isError = false;
};

}  // namespace vigil::panels

#pragma once

#include "ui/panels/panel_widget.h"

class QTextBrowser;

namespace vigil::panels {

// The text panel: markdown (as Grafana renders it), HTML, or code, with the
// dashboard's variables interpolated. It runs no queries.
class TextPanel : public PanelWidget {
    Q_OBJECT
public:
    explicit TextPanel(QWidget* parent = nullptr);
    bool needsData() const override { return false; }
    QString plainText() const;

protected:
    QWidget* createContent() override;
    void configure(const dashboard::Panel& panel,
                   const dashboard::InterpolationContext& context) override;
    void render(const PanelData&) override {}

private:
    QTextBrowser* m_browser = nullptr;
};

// A panel type Vigil does not render: says so inside the panel, by name.
class UnsupportedPanel : public PanelWidget {
    Q_OBJECT
public:
    explicit UnsupportedPanel(QWidget* parent = nullptr);
    bool needsData() const override { return false; }

protected:
    QWidget* createContent() override;
    void configure(const dashboard::Panel& panel,
                   const dashboard::InterpolationContext& context) override;
    void render(const PanelData&) override {}

private:
    class QLabel* m_label = nullptr;
};

}  // namespace vigil::panels

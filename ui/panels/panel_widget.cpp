#include "ui/panels/panel_widget.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStackedLayout>
#include <QVBoxLayout>

namespace vigil::panels {

PanelWidget::PanelWidget(QWidget* parent) : QFrame(parent) {
    setFrameShape(QFrame::StyledPanel);
    setObjectName(QStringLiteral("panel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 6);
    layout->setSpacing(2);

    m_header = new QWidget(this);
    m_header->setObjectName(QStringLiteral("panelHeader"));
    m_header->setCursor(Qt::OpenHandCursor);
    auto* headerLayout = new QHBoxLayout(m_header);
    headerLayout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(m_header);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::NoTextInteraction);
    m_loading = new QLabel(tr("loading…"), m_header);
    m_loading->setEnabled(false);
    m_loading->hide();
    headerLayout->addWidget(m_title, 1);
    headerLayout->addWidget(m_loading);
    layout->addWidget(m_header);

    auto* body = new QWidget(this);
    m_body = new QStackedLayout(body);
    m_message = new QLabel(body);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_body->addWidget(m_message);
    layout->addWidget(body, 1);
}

void PanelWidget::setPanel(const dashboard::Panel& panel,
                           const dashboard::InterpolationContext& context) {
    m_panel = panel;
    m_fieldOptions = FieldOptions::fromPanel(panel);
    m_title->setText(
        dashboard::interpolate(panel.title, context, dashboard::InterpolationTarget::kText));
    m_title->setToolTip(panel.raw.value(QStringLiteral("description")).toString());
    if (!m_content) {
        m_content = createContent();
        m_body->addWidget(m_content);
    }
    configure(panel, context);
    if (!needsData()) {
        render(m_data);
        m_body->setCurrentWidget(m_content);
    } else if (m_data.frames.empty()) {
        showMessage(tr("No data"), false);
    }
}

void PanelWidget::configure(const dashboard::Panel&, const dashboard::InterpolationContext&) {}

void PanelWidget::setData(const PanelData& data) {
    m_data = data;
    setLoading(false);
    if (data.hasError()) {
        showMessage(data.errorText(), true);
        return;
    }
    if (!needsData()) {
        render(m_data);
        m_body->setCurrentWidget(m_content);
        return;
    }
    if (!data.hasData()) {
        showMessage(m_fieldOptions.noValue.isEmpty() ? tr("No data") : m_fieldOptions.noValue,
                    false);
        return;
    }
    render(m_data);
    m_body->setCurrentWidget(m_content);
}

void PanelWidget::setLoading(bool loading) {
    m_loading->setVisible(loading);
}

void PanelWidget::showMessage(const QString& text, bool isError) {
    m_isError = isError;
    m_message->setText(text);
    QPalette palette = m_message->palette();
    palette.setColor(QPalette::WindowText, isError ? grafanaColor(QStringLiteral("semi-dark-red"))
                                                   : palette.color(QPalette::PlaceholderText));
    m_message->setPalette(palette);
    m_body->setCurrentWidget(m_message);
}

void PanelWidget::showLiveContent() {
    if (m_body->currentWidget() != m_content && !m_isError)
        m_body->setCurrentWidget(m_content);
}

QString PanelWidget::bodyState() const {
    if (m_body->currentWidget() == m_content)
        return QStringLiteral("content");
    return m_isError ? QStringLiteral("error") : QStringLiteral("no-data");
}

QString PanelWidget::messageText() const {
    return m_message->text();
}

}  // namespace vigil::panels

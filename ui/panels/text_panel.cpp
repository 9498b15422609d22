#include "ui/panels/text_panel.h"

#include <QFontDatabase>
#include <QJsonObject>
#include <QLabel>
#include <QTextBrowser>

namespace vigil::panels {

TextPanel::TextPanel(QWidget* parent) : PanelWidget(parent) {}

QWidget* TextPanel::createContent() {
    m_browser = new QTextBrowser(this);
    m_browser->setOpenExternalLinks(true);
    m_browser->setFrameShape(QFrame::NoFrame);
    return m_browser;
}

void TextPanel::configure(const dashboard::Panel& panel,
                          const dashboard::InterpolationContext& context) {
    const QJsonObject options = panel.raw.value(QStringLiteral("options")).toObject();
    const QString mode = options.value(QStringLiteral("mode")).toString(QStringLiteral("markdown"));
    const QString content =
        dashboard::interpolate(options.value(QStringLiteral("content")).toString(), context,
                               dashboard::InterpolationTarget::kText);
    if (mode == QLatin1String("html")) {
        m_browser->setHtml(content);
    } else if (mode == QLatin1String("code")) {
        m_browser->setPlainText(content);
        m_browser->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    } else {
        m_browser->setMarkdown(content);
    }
}

QString TextPanel::plainText() const {
    return m_browser ? m_browser->toPlainText() : QString();
}

UnsupportedPanel::UnsupportedPanel(QWidget* parent) : PanelWidget(parent) {}

QWidget* UnsupportedPanel::createContent() {
    m_label = new QLabel(this);
    m_label->setAlignment(Qt::AlignCenter);
    m_label->setWordWrap(true);
    return m_label;
}

void UnsupportedPanel::configure(const dashboard::Panel& panel,
                                 const dashboard::InterpolationContext&) {
    m_label->setText(tr("Panel type \"%1\" is not supported by Vigil.\nIts settings are kept and "
                        "exported unchanged.")
                         .arg(panel.type));
}

}  // namespace vigil::panels

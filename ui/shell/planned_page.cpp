#include "ui/shell/planned_page.h"

#include <QLabel>
#include <QVBoxLayout>

namespace vigil::ui {

PlannedPage::PlannedPage(const QString& title, const QString& plannedText, QWidget* parent)
    : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(32, 24, 32, 24);

    auto* heading = new QLabel(title, this);
    QFont headingFont = heading->font();
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.6);
    headingFont.setBold(true);
    heading->setFont(headingFont);
    heading->setObjectName(QStringLiteral("pageTitle"));

    auto* text = new QLabel(plannedText, this);
    text->setWordWrap(true);
    text->setObjectName(QStringLiteral("plannedText"));

    auto* status = new QLabel(tr("Not available in this version of Vigil yet."), this);
    status->setObjectName(QStringLiteral("plannedStatus"));
    status->setForegroundRole(QPalette::PlaceholderText);

    layout->addWidget(heading);
    layout->addSpacing(8);
    layout->addWidget(text);
    layout->addSpacing(8);
    layout->addWidget(status);
    layout->addStretch(1);
}

}  // namespace vigil::ui

#pragma once

#include <QWidget>

namespace vigil::ui {

// A navigation page whose content arrives with later work. It says plainly
// what will be there instead of showing an empty area.
class PlannedPage : public QWidget {
    Q_OBJECT
public:
    PlannedPage(const QString& title, const QString& plannedText, QWidget* parent = nullptr);
};

}  // namespace vigil::ui

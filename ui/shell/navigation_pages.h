#pragma once

#include <QString>
#include <array>

namespace vigil::ui {

// The pages of the left navigation, in order; Ctrl+1..6 follow this order.
enum class Page { kDashboards, kExplore, kLogs, kAlerts, kTargets, kSettings };
inline constexpr int kPageCount = 6;

struct PageInfo {
    Page page;
    QString title;
    QString iconName;     // freedesktop theme icon, with a fallback glyph when the theme has none
    QString plannedText;  // what the page will hold, for pages that later work fills in
};

const std::array<PageInfo, kPageCount>& pageInfos();
const PageInfo& pageInfo(Page page);

}  // namespace vigil::ui

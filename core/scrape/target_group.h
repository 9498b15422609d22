#pragma once

#include <string>
#include <vector>

#include "core/model/labels.h"

namespace vigil::scrape {

// Prometheus's targetgroup.Group: what service discovery hands the scrape
// pool. Each target holds at least `__address__`; `labels` apply to every
// target of the group (a target's own labels win). `source` identifies the
// group within its provider ("<file>:<index>" for file SD, "<index>" for a
// static config), so that an update replaces the group of the same source.
struct TargetGroup {
    std::string source;
    std::vector<model::Labels> targets;
    model::Labels labels;
};

}  // namespace vigil::scrape

#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/labels.h"
#include "core/scrape/relabel.h"
#include "core/util/status.h"

namespace vigil::scrape {

// What a scrape config contributes to every target's labels before
// relabeling (Prometheus's PopulateLabels defaults).
struct TargetDefaults {
    std::string jobName;
    std::string scheme = "http";
    std::string metricsPath = "/metrics";
    std::chrono::milliseconds scrapeInterval{60000};
    std::chrono::milliseconds scrapeTimeout{10000};
    std::map<std::string, std::vector<std::string>> params;  // __param_<name> takes the first value
};

struct TargetLabels {
    model::Labels discovered;  // before relabeling, with the defaults filled in
    model::Labels final;       // after relabeling and defaults, internal (__*) labels included
    bool dropped = false;      // a relabel rule dropped the target

    // The labels every sample of the target carries: `final` without the
    // reserved "__" labels.
    model::Labels publicLabels() const;
};

// Prometheus 2.42's PopulateLabels: fills the defaults into `discovered`
// (job, __address__ must already be there from the target group, __scheme__,
// __metrics_path__, __scrape_interval__, __scrape_timeout__, __param_*),
// applies `relabelConfigs`, infers the port from the scheme when the address
// has none, checks the address, interval and timeout, deletes __meta_*
// labels and sets `instance` to the address when it is unset.
Result<TargetLabels> populateTargetLabels(const model::Labels& discovered,
                                          const TargetDefaults& defaults,
                                          const std::vector<RelabelConfig>& relabelConfigs);

}  // namespace vigil::scrape

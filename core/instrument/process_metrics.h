#pragma once

#include "core/instrument/metric_registry.h"

namespace vigil::instrument {

// Registers the standard process collector (the names client_golang's
// process collector uses, so existing dashboards work): process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds and process_start_time_seconds; and
// vigil_build_info. Values are read from /proc/self at render time.
void registerProcessMetrics(MetricRegistry& registry);

struct ProcessStats {
    double cpuSeconds = 0;
    double residentBytes = 0;
    double virtualBytes = 0;
    double openFds = 0;
    double maxFds = 0;
    double startTimeSeconds = 0;
};

// Reads this process's figures from procfs (`procRoot` is "/proc" except in
// tests). Missing files leave the corresponding field at 0.
ProcessStats readProcessStats(const char* procRoot = "/proc");

}  // namespace vigil::instrument

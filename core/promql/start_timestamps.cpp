#include "core/promql/start_timestamps.h"

namespace vigil::promql {

bool isStartTimestampReset(std::int64_t prevSt, std::int64_t prevT, std::int64_t curSt,
                           std::int64_t curT) {
    // Unset (0), invalid (after the sample) or OTel's "unknown start" (equal
    // to the sample) start times are no reset.
    if (curSt == 0 || curSt >= curT)
        return false;
    if (curSt < prevT)
        return false;
    if (curSt > prevT)
        return true;
    // The start time is the previous sample's time: a delta series (reset)
    // or a cumulative one with an unknown start (no reset), told apart by
    // whether the previous start time was known and valid.
    if (prevSt > prevT)
        return false;
    return prevSt != 0 && prevSt != prevT;
}

}  // namespace vigil::promql

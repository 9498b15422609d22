#include "core/receive/remote_write_decoder.h"

#include <snappy.h>

#include <algorithm>
#include <set>

#include "core/scrape/relabel.h"
#include "remote.pb.h"

namespace vigil::receive {

Result<RemoteWriteStats> decodeRemoteWrite(std::string_view body, std::uint64_t maxDecodedBytes,
                                           model::Appender& appender) {
    std::size_t decodedLength = 0;
    if (!snappy::GetUncompressedLength(body.data(), body.size(), &decodedLength)) {
        return Status::error(
            "snappy: corrupt input (the body must be a snappy block-compressed WriteRequest)");
    }
    if (decodedLength > maxDecodedBytes) {
        return Status::error(Status::Code::kResourceExhausted,
                             "decompressed request of " + std::to_string(decodedLength) +
                                 " bytes exceeds the limit of " + std::to_string(maxDecodedBytes) +
                                 " bytes");
    }
    std::string decoded;
    if (!snappy::Uncompress(body.data(), body.size(), &decoded))
        return Status::error("snappy: corrupt input");

    prometheus::WriteRequest request;
    if (!request.ParseFromString(decoded)) {
        return Status::error("the body is not a valid remote write WriteRequest protobuf");
    }

    RemoteWriteStats stats;
    std::vector<model::Label> labels;
    for (const auto& series : request.timeseries()) {
        ++stats.series;
        stats.histogramsDropped += static_cast<std::uint64_t>(series.histograms_size());
        stats.exemplarsDropped += static_cast<std::uint64_t>(series.exemplars_size());
        labels.clear();
        bool valid = series.labels_size() > 0;
        std::set<std::string_view> names;
        for (const auto& label : series.labels()) {
            if (!scrape::isValidLabelName(label.name()) || !names.insert(label.name()).second)
                valid = false;
            labels.push_back({label.name(), label.value()});
        }
        const model::Labels set = model::Labels::fromUnsorted(std::move(labels));
        labels = {};
        if (!valid || set.metricName().empty()) {
            ++stats.invalidSeries;
            if (stats.firstProblem.empty())
                stats.firstProblem = "invalid metric name or labels: " + set.toString();
            continue;
        }
        for (const auto& sample : series.samples()) {
            const model::AppendError error =
                appender.append(set, sample.timestamp(), sample.value());
            if (error == model::AppendError::kNone) {
                ++stats.samples;
                continue;
            }
            ++stats.rejected;
            if (stats.firstProblem.empty()) {
                stats.firstProblem = std::string(model::appendErrorName(error)) +
                                     " sample for series " + set.toString() + " at timestamp " +
                                     std::to_string(sample.timestamp());
            }
        }
    }
    return stats;
}

}  // namespace vigil::receive

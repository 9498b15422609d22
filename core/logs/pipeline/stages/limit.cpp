// limit: rate-limits entries with a token bucket (Go's rate.Limiter: `rate`
// tokens per second, `burst` at most, full at start). With `drop: true` an
// entry over the limit is dropped; otherwise the stage waits (blocking the
// source, as Promtail does). With `by_label_name` each value of that label
// gets its own bucket (entries without the label are not limited); at most
// `max_distinct_labels` (default 10000) buckets are kept, the oldest ones
// are forgotten first.
//   limit: {rate: float, burst: int, drop: bool, by_label_name: name,
//           max_distinct_labels: int}

#include <chrono>
#include <deque>
#include <thread>
#include <unordered_map>

#include "core/logs/pipeline/stage_util.h"
#include "core/logs/pipeline/stages/stages.h"

namespace vigil::logs::pipeline::stages {
namespace {

using Clock = std::chrono::steady_clock;

class Bucket {
public:
    Bucket(double rate, double burst) : m_rate(rate), m_burst(burst), m_tokens(burst) {}

    // Seconds to wait before one token is available (0 = take it now).
    double take(Clock::time_point now, bool reserve) {
        refill(now);
        if (m_tokens >= 1) {
            m_tokens -= 1;
            return 0;
        }
        const double wait = m_rate > 0 ? (1 - m_tokens) / m_rate : 1e9;
        if (reserve)
            m_tokens -= 1;  // goes negative: the next caller waits longer
        return wait;
    }

private:
    void refill(Clock::time_point now) {
        if (m_last != Clock::time_point{}) {
            const double dt = std::chrono::duration<double>(now - m_last).count();
            m_tokens = std::min(m_burst, m_tokens + dt * m_rate);
        }
        m_last = now;
    }

    double m_rate, m_burst, m_tokens;
    Clock::time_point m_last{};
};

class LimitStage final : public Stage {
public:
    LimitStage(double rate, std::int64_t burst, bool drop, std::string byLabel,
               std::int64_t maxDistinct)
        : m_rate(rate),
          m_burst(static_cast<double>(burst)),
          m_drop(drop),
          m_byLabel(std::move(byLabel)),
          m_maxDistinct(static_cast<std::size_t>(maxDistinct)),
          m_global(rate, static_cast<double>(burst)) {}

    Verdict process(Entry& entry, std::vector<Entry>&) override {
        Bucket* bucket = &m_global;
        if (!m_byLabel.empty()) {
            const auto it = entry.labels.find(m_byLabel);
            if (it == entry.labels.end())
                return Verdict::kKeep;
            auto b = m_buckets.find(it->second);
            if (b == m_buckets.end()) {
                if (m_buckets.size() >= m_maxDistinct) {
                    m_buckets.erase(m_order.front());
                    m_order.pop_front();
                }
                b = m_buckets.emplace(it->second, Bucket(m_rate, m_burst)).first;
                m_order.push_back(it->second);
            }
            bucket = &b->second;
        }
        const double wait = bucket->take(Clock::now(), !m_drop);
        if (wait <= 0)
            return Verdict::kKeep;
        if (m_drop)
            return Verdict::kDrop;
        std::this_thread::sleep_for(std::chrono::duration<double>(wait));
        return Verdict::kKeep;
    }

private:
    double m_rate, m_burst;
    bool m_drop;
    std::string m_byLabel;
    std::size_t m_maxDistinct;
    Bucket m_global;
    std::unordered_map<std::string, Bucket> m_buckets;
    std::deque<std::string> m_order;
};

}  // namespace

StagePtr makeLimit(const YAML::Node& node, const std::string& path, config::ConfigErrors& errors) {
    const std::size_t before = errors.errors().size();
    config::YamlMapReader r(node, errors, path);
    double rate = 0;
    std::int64_t burst = 0, maxDistinct = 10000;
    bool drop = false;
    std::string byLabel;
    if (!r.has("rate"))
        errors.add(node.Mark(), r.childPath("rate") + ": rate is required");
    else if (r.read("rate", rate) && !(rate > 0))
        errors.add(r.child("rate").Mark(), r.childPath("rate") + ": must be greater than 0");
    if (!r.has("burst"))
        errors.add(node.Mark(), r.childPath("burst") + ": burst is required");
    else if (r.read("burst", burst) && burst <= 0)
        errors.add(r.child("burst").Mark(), r.childPath("burst") + ": must be greater than 0");
    r.read("drop", drop);
    if (r.read("by_label_name", byLabel) && !validLabelName(byLabel))
        errors.add(r.child("by_label_name").Mark(),
                   r.childPath("by_label_name") + ": invalid label name: " + byLabel);
    if (r.read("max_distinct_labels", maxDistinct) && maxDistinct <= 0)
        errors.add(r.child("max_distinct_labels").Mark(),
                   r.childPath("max_distinct_labels") + ": must be greater than 0");
    r.finish();
    if (errors.errors().size() != before)
        return nullptr;
    return std::make_unique<LimitStage>(rate, burst, drop, std::move(byLabel), maxDistinct);
}

}  // namespace vigil::logs::pipeline::stages

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/logs/pipeline/pipeline.h"

namespace vigil::logs::pipeline {

// What a stage did with an entry.
enum class Verdict : std::uint8_t {
    kKeep,  // the entry goes on to the next stage
    kDrop,  // the entry is gone (counted as dropped)
    kHold,  // the stage keeps the entry (multiline block, partial CRI line, nested match)
};

// One configured pipeline stage. Stages run on the source's thread only
// (not thread-safe). A stage that holds entries hands them back through
// `released`, in order; they continue at the stage after this one, before
// the entry being processed (so the output keeps the input's order).
class Stage {
public:
    virtual ~Stage() = default;

    // `released` is empty on entry and owned by the caller (reused).
    virtual Verdict process(Entry& entry, std::vector<Entry>& released) = 0;

    // Releases held entries (see Pipeline::flush).
    virtual void flush(TimestampNs /*nowNs*/, bool /*all*/, std::vector<Entry>& /*released*/) {}

    // Entries dropped inside this stage's own nested stages (match).
    virtual std::uint64_t nestedDropped() const { return 0; }
};

using StagePtr = std::unique_ptr<Stage>;

// A list of stages run in order: the body of a pipeline and of a match
// stage's nested `stages`.
class StageChain {
public:
    explicit StageChain(std::vector<StagePtr> stages);

    // Runs `entry` through every stage; what comes out of the last one is
    // appended to `out`.
    void process(Entry entry, std::vector<Entry>& out) { runFrom(0, std::move(entry), out); }
    void flush(TimestampNs nowNs, bool all, std::vector<Entry>& out);

    // Entries dropped by a stage (drop, match action drop, limit with drop,
    // json drop_malformed, timestamp skip does not drop) since construction.
    std::uint64_t dropped() const;

    bool empty() const { return m_stages.empty(); }

private:
    void runFrom(std::size_t first, Entry entry, std::vector<Entry>& out);

    std::vector<StagePtr> m_stages;
    // One scratch list per stage for what it releases; runFrom(i) only ever
    // uses m_released[i] and recurses into later stages, so they never alias.
    std::vector<std::vector<Entry>> m_released;
    std::uint64_t m_dropped = 0;
};

// A 64-bit identity of an entry's label set, for stages with per-stream
// state (multiline, cri, limit by label, timestamp fudge).
std::uint64_t streamKey(const Entry& entry);

}  // namespace vigil::logs::pipeline

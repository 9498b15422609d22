#include "core/tsdb/chunkenc/chunk.h"

#include <cassert>
#include <string>

#include "core/tsdb/chunkenc/packed_chunk.h"
#include "core/tsdb/chunkenc/xor_chunk.h"

namespace vigil::tsdb {

namespace {

// Iterates a packed chunk that was fully decoded up front: sealed chunks are
// read whole anyway, and decoding the columns in one pass is several times
// faster than bit-serial iteration.
class PackedIterator final : public ChunkIterator {
public:
    explicit PackedIterator(std::vector<model::Sample> samples) : m_samples(std::move(samples)) {}

    bool next() override {
        if (m_next >= m_samples.size())
            return false;
        ++m_next;
        return true;
    }
    bool seek(model::Timestamp t) override {
        if (m_next == 0 && !next())
            return false;
        while (m_samples[m_next - 1].t < t) {
            if (!next())
                return false;
        }
        return true;
    }
    model::Sample at() const override {
        assert(m_next > 0);
        return m_samples[m_next - 1];
    }
    Status status() const override { return Status::ok(); }

private:
    std::vector<model::Sample> m_samples;
    std::size_t m_next = 0;  // index of the current sample + 1
};

Status xorHeaderCheck(std::span<const std::uint8_t> data) {
    if (data.size() < 2)
        return Status::corruption("xor chunk: " + std::to_string(data.size()) +
                                  " bytes, shorter than its 2-byte header");
    return Status::ok();
}

Status unknownEncoding(Encoding e) {
    return Status::corruption("chunk: unknown encoding " +
                              std::to_string(static_cast<unsigned>(e)));
}

}  // namespace

std::string_view encodingName(Encoding e) {
    switch (e) {
        case Encoding::kXor:
            return "XOR";
        case Encoding::kPacked:
            return "packed";
    }
    return "unknown";
}

bool isKnownEncoding(std::uint8_t e) {
    return e == static_cast<std::uint8_t>(Encoding::kXor) ||
           e == static_cast<std::uint8_t>(Encoding::kPacked);
}

Result<std::unique_ptr<ChunkIterator>> decodeChunk(Encoding encoding,
                                                   std::span<const std::uint8_t> data) {
    switch (encoding) {
        case Encoding::kXor: {
            Status s = xorHeaderCheck(data);
            if (!s.isOk())
                return s;
            return std::unique_ptr<ChunkIterator>(std::make_unique<XorIterator>(data));
        }
        case Encoding::kPacked: {
            std::vector<model::Sample> samples;
            Status s = decodePacked(data, samples);
            if (!s.isOk())
                return s;
            return std::unique_ptr<ChunkIterator>(
                std::make_unique<PackedIterator>(std::move(samples)));
        }
    }
    return unknownEncoding(encoding);
}

Status decodeSamples(Encoding encoding, std::span<const std::uint8_t> data,
                     std::vector<model::Sample>& out) {
    switch (encoding) {
        case Encoding::kXor: {
            Status s = xorHeaderCheck(data);
            if (!s.isOk())
                return s;
            XorIterator it(data);
            while (it.next())
                out.push_back(it.at());
            return it.status();
        }
        case Encoding::kPacked:
            return decodePacked(data, out);
    }
    return unknownEncoding(encoding);
}

Status decodeSamplesInRange(Encoding encoding, std::span<const std::uint8_t> data,
                            model::Timestamp mint, model::Timestamp maxt,
                            std::vector<model::Sample>& out) {
    switch (encoding) {
        case Encoding::kXor: {
            Status s = xorHeaderCheck(data);
            if (!s.isOk())
                return s;
            XorIterator it(data);
            while (it.next()) {
                const model::Sample smp = it.at();
                if (smp.t > maxt)
                    return Status::ok();
                if (smp.t >= mint)
                    out.push_back(smp);
            }
            return it.status();
        }
        case Encoding::kPacked:
            return decodePackedRange(data, mint, maxt, out);
    }
    return unknownEncoding(encoding);
}

Result<std::vector<std::uint8_t>> encodeSealed(std::span<const model::Sample> samples) {
    thread_local PackedEncoder encoder;
    std::vector<std::uint8_t> out;
    Status s = encoder.encode(samples, out);
    if (!s.isOk())
        return s;
    return out;
}

}  // namespace vigil::tsdb

#pragma once

#include <cstdint>
#include <string_view>

namespace vigil::tsdb {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of the
// WAL, as in Prometheus and LevelDB. Slice-by-8, table-driven; no hardware
// instruction. crc32c("123456789") == 0xE3069283.
//
// extend() continues a checksum over more data: crc32c(a + b) ==
// crc32cExtend(crc32c(a), b).
std::uint32_t crc32cExtend(std::uint32_t crc, std::string_view data);
inline std::uint32_t crc32c(std::string_view data) {
    return crc32cExtend(0, data);
}

}  // namespace vigil::tsdb

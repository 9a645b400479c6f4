// Kafka's murmur2 key hash (Java client's Utils.murmur2), for partitioning keyed records.
#include "runtime/sink/murmur2.hpp"

namespace obsync::sink {

int32_t murmur2(std::span<const uint8_t> data) {
  // Java's int arithmetic wraps; uint32_t gives the same bits without signed-overflow UB.
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  // Java mixes in `int length`: only the low 32 bits of a (theoretical) larger size count.
  const auto length = static_cast<uint32_t>(data.size());
  uint32_t h = kSeed ^ length;
  const size_t blocks = data.size() / 4;
  const uint8_t* p = data.data();
  for (size_t i = 0; i < blocks; ++i, p += 4) {
    // Assembled byte by byte: little-endian regardless of the host, no unaligned loads.
    uint32_t k = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                 static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  switch (data.size() % 4) {
    case 3:
      h ^= static_cast<uint32_t>(p[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(p[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= p[0];
      h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

}  // namespace obsync::sink

// Kafka's default key partitioner hash, bit for bit as the Java client computes it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace obsync::sink {

// org.apache.kafka.common.utils.Utils.murmur2: MurmurHash2 with seed 0x9747b28c, little-endian
// 4-byte blocks, returned as Java's signed int. librdkafka's own "murmur2" partitioner agrees,
// but obsync computes the partition itself so the choice never depends on client settings.
int32_t murmur2(std::span<const uint8_t> data);

inline int32_t murmur2(std::string_view data) {
  return murmur2(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

// The Java producer's partition for a non-null key: Utils.toPositive(murmur2(key)) % partitions.
// toPositive masks the sign bit rather than taking abs(), so INT32_MIN maps to 0, not overflow.
// `partitions` must be positive.
inline int32_t murmur2_partition(std::string_view key, int32_t partitions) {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

}  // namespace obsync::sink

// murmur2 and the Java producer's key partition: published vectors from Kafka and librdkafka.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sink/murmur2.hpp"

using obsync::sink::murmur2;
using obsync::sink::murmur2_partition;

TEST_CASE("murmur2 matches Kafka's UtilsTest.testMurmur2", "[murmur2]") {
  CHECK(murmur2("21") == -973932308);
  CHECK(murmur2("foobar") == -790332482);
  CHECK(murmur2("a-little-bit-long-string") == -985981536);
  CHECK(murmur2("a-little-bit-longer-string") == -1486304829);
  CHECK(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
  CHECK(murmur2("abc") == 479470107);
}

TEST_CASE("murmur2 matches librdkafka's java_murmur2_results", "[murmur2]") {
  // librdkafka's unit test hashes suffixes of one buffer to cover every tail length (0-3 bytes
  // after the 4-byte blocks) and unaligned starts; the expected values came from the Java client.
  const std::string_view short_key = "1234";
  const std::string_view long_key = "PreAmbleWillBeRemoved,ThePrePartThatIs";
  auto u = [](uint32_t bits) { return static_cast<int32_t>(bits); };
  CHECK(murmur2("kafka") == u(0xd067cf64));
  CHECK(murmur2("giberish123456789") == u(0x8f552b0c));
  CHECK(murmur2(short_key) == u(0x9fc97b14));
  CHECK(murmur2(short_key.substr(1)) == u(0xe7c009ca));
  CHECK(murmur2(short_key.substr(2)) == u(0x873930da));
  CHECK(murmur2(short_key.substr(3)) == u(0x5a4b5ca1));
  CHECK(murmur2(long_key) == u(0x78424f1c));
  CHECK(murmur2(long_key.substr(1)) == u(0x4a62b377));
  CHECK(murmur2(long_key.substr(2)) == u(0xe0e4e09e));
  CHECK(murmur2(long_key.substr(3)) == u(0x62b8b43f));
  CHECK(murmur2("") == u(0x106e08d9));
}

TEST_CASE("murmur2 of non-ASCII and high bytes equals the Java client's", "[murmur2]") {
  // Computed with kafka-clients 4.4.0 (Utils.murmur2). Bytes >= 0x80 are where a sign-extension
  // slip (Java's byte is signed) would show.
  CHECK(murmur2("\xc3\xa9t\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87") == 2046158147);  // "été 中文"
  const std::vector<uint8_t> high{0xff, 0x80, 0x00, 0xfe, 0x7f};
  CHECK(murmur2(std::span<const uint8_t>(high)) == -1362474117);
  std::vector<uint8_t> long_bytes(1000);
  for (size_t i = 0; i < long_bytes.size(); ++i) long_bytes[i] = static_cast<uint8_t>(i * 31 + 7);
  CHECK(murmur2(std::span<const uint8_t>(long_bytes)) == -974371678);
  CHECK(murmur2("string-f-24-chars-length") == 124730809);
  CHECK(murmur2("string-fo-25-chars-length") == 1269511650);
  CHECK(murmur2("string-foo-26-chars-length") == 119165628);
  CHECK(murmur2("string-last-27-chars-length") == 1089971754);
}

TEST_CASE("murmur2_partition is the Java producer's partition for a key", "[murmur2]") {
  // Expected values from kafka-clients 4.4.0: BuiltInPartitioner.partitionForKey for 7
  // partitions, Utils.toPositive(murmur2) % n for the others.
  CHECK(murmur2_partition("21", 3) == 0);
  CHECK(murmur2_partition("21", 7) == 3);
  CHECK(murmur2_partition("21", 100) == 40);
  CHECK(murmur2_partition("kafka", 3) == 1);
  CHECK(murmur2_partition("kafka", 7) == 3);
  CHECK(murmur2_partition("giberish123456789", 3) == 2);
  CHECK(murmur2_partition("giberish123456789", 7) == 5);
  CHECK(murmur2_partition("giberish123456789", 100) == 20);
  CHECK(murmur2_partition("", 7) == 2);
  CHECK(murmur2_partition("", 100) == 81);
  CHECK(murmur2_partition("order-42", 7) == 1);
  CHECK(murmur2_partition("\xc3\xa9t\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87", 7) == 5);
  CHECK(murmur2_partition("anything", 1) == 0);
}

TEST_CASE("murmur2_partition masks the sign bit instead of taking abs()", "[murmur2]") {
  // A negative hash: abs() would give a different partition than toPositive() for most n.
  const int32_t h = murmur2("foobar");
  REQUIRE(h < 0);
  CHECK(murmur2_partition("foobar", 100) == (h & 0x7fffffff) % 100);
  CHECK(murmur2_partition("foobar", 100) == 66);
  CHECK(murmur2_partition("foobar", 100) != (-h) % 100);
}

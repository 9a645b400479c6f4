// obsync::sink::murmur2 against the Java client: kafka-clients hashes the same 2,000 keys.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "runtime/sink/murmur2.hpp"
#include "tests/infra/kafka_broker.hpp"
#include "tests/infra/process.hpp"

using namespace obsync::test;
namespace fs = std::filesystem;

namespace {

// Run as a single-file program (Java 11+ compiles it in memory). For each input line
// "PARTITIONS HEXKEY" it prints the Java client's murmur2, toPositive(..) % n, and what the
// producer's own key partitioner (BuiltInPartitioner, 3.3+) picks.
constexpr const char* kMurmurJava = R"java(
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;

public class Murmur {
  public static void main(String[] args) throws Exception {
    StringBuilder out = new StringBuilder();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      String[] parts = line.split(" ", -1);
      int n = Integer.parseInt(parts[0]);
      byte[] key = HexFormat.of().parseHex(parts[1]);
      int h = Utils.murmur2(key);
      out.append(h).append(' ').append(Utils.toPositive(h) % n).append(' ')
         .append(BuiltInPartitioner.partitionForKey(key, n)).append('\n');
    }
    System.out.print(out);
  }
}
)java";

std::string hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

// Keys of every shape a table's primary key can become: empty, short, every tail length,
// arbitrary bytes (>= 0x80 is where a sign-extension slip would show), UTF-8 text, long keys.
std::vector<std::string> make_keys() {
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::string> keys{"", "a", "ab", "abc", "abcd", "21", "foobar"};
  for (int len = 0; len < 64; ++len) {  // every length 0..63, random bytes
    std::string k;
    for (int i = 0; i < len; ++i) k.push_back(static_cast<char>(byte(rng)));
    keys.push_back(k);
  }
  const std::vector<std::string> words{"订单", "été", "Ölçü", "🙂", "ключ", "مفتاح", "x"};
  while (keys.size() < 2000) {
    std::string k;
    switch (keys.size() % 4) {
      case 0:  // random bytes, length 0..40
        for (int i = 0, n = byte(rng) % 41; i < n; ++i) k.push_back(static_cast<char>(byte(rng)));
        break;
      case 1:  // what obsync's key encoders make of a primary key
        k = fmt::format("{{\"id\":{}}}", rng());
        break;
      case 2:  // UTF-8 text
        for (int i = 0, n = 1 + byte(rng) % 6; i < n; ++i) k += words[rng() % words.size()];
        break;
      default:  // long keys, up to 4 KiB
        for (int i = 0, n = 100 + static_cast<int>(rng() % 4000); i < n; ++i)
          k.push_back(static_cast<char>(byte(rng)));
    }
    keys.push_back(k);
  }
  return keys;
}

}  // namespace

TEST_CASE("murmur2 and murmur2_partition equal the Java client's for 2,000 keys",
          "[kafka][murmur2]") {
  fs::path libs = kafka_libs_dir();
  INFO("jars: " << libs.string() << " (tools/fetch-kafka.sh " << kDefaultKafkaVersion << ")");
  REQUIRE(kafka_libs_present());

  fs::path dir = fs::temp_directory_path() / fmt::format("obsync-murmur2-{}", getpid());
  fs::create_directories(dir);
  std::ofstream(dir / "Murmur.java") << kMurmurJava;
  const std::vector<int32_t> partition_counts{1, 2, 3, 7, 12, 100, 1000, 2147483647};
  auto keys = make_keys();
  {
    std::ofstream in(dir / "keys.txt");
    for (size_t i = 0; i < keys.size(); ++i)
      in << partition_counts[i % partition_counts.size()] << ' ' << hex(keys[i]) << '\n';
  }

  auto r = run_process({java_binary(), "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                        (libs / "*").string(), (dir / "Murmur.java").string(),
                        (dir / "keys.txt").string()},
                       std::chrono::seconds(120));
  fs::remove_all(dir);
  INFO("java: exit " << r.exit_code << "\n" << r.err.substr(0, 4000));
  REQUIRE(r.exit_code == 0);

  std::istringstream out(r.out);
  size_t lines = 0, hash_mismatches = 0, partition_mismatches = 0;
  std::string first_mismatch;
  for (size_t i = 0; i < keys.size(); ++i) {
    int64_t java_hash = 0, java_positive_mod = 0, java_partition = 0;
    if (!(out >> java_hash >> java_positive_mod >> java_partition)) break;
    ++lines;
    const int32_t n = partition_counts[i % partition_counts.size()];
    const int32_t ours = obsync::sink::murmur2(keys[i]);
    const int32_t our_partition = obsync::sink::murmur2_partition(keys[i], n);
    bool hash_ok = ours == java_hash;
    bool partition_ok = our_partition == java_positive_mod && our_partition == java_partition;
    if (!hash_ok) ++hash_mismatches;
    if (!partition_ok) ++partition_mismatches;
    if ((!hash_ok || !partition_ok) && first_mismatch.empty())
      first_mismatch = fmt::format("key {} (hex {}), n={}: ours {} -> {}, Java {} -> {} / {}", i,
                                   hex(keys[i]).substr(0, 80), n, ours, our_partition, java_hash,
                                   java_positive_mod, java_partition);
  }
  INFO("first mismatch: " << first_mismatch);
  CHECK(lines == keys.size());
  CHECK(hash_mismatches == 0);
  CHECK(partition_mismatches == 0);
}

// Helpers shared by the `obsync run` end-to-end tests: read whole topics back from the broker,
// run obsync as a child process and watch its log, encode values as the formats do.
#pragma once

#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "tests/infra/process.hpp"

namespace obsync::e2e {

struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  bool has_key = false;
  std::string key;
  std::string value;
};

// Every message of `topics` as the broker holds them now: the consumer is assigned every
// partition from its start and reads up to the high watermark it found when it began, so the
// result is complete for topics nobody writes to any more (no idle-time guess). Per partition
// the records are in offset order.
inline std::vector<Record> read_topics(const std::string& bootstrap, const std::vector<std::string>& topics,
                                       std::chrono::seconds timeout = std::chrono::seconds(180)) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  std::string group = fmt::format("e2e-read-{}", std::random_device{}());
  rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) throw std::runtime_error(std::string("consumer: ") + err);
  rd_kafka_poll_set_consumer(rk);

  std::map<std::pair<std::string, int32_t>, int64_t> high;  // partition → first offset not to wait for
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(16);
  for (const auto& topic : topics) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 30000);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 || md->topics[0].err) {
      std::string why = e ? rd_kafka_err2str(e) : rd_kafka_err2str(md->topics[0].err);
      if (md) rd_kafka_metadata_destroy(md);
      rd_kafka_topic_destroy(rkt);
      rd_kafka_topic_partition_list_destroy(assignment);
      rd_kafka_destroy(rk);
      throw std::runtime_error(fmt::format("metadata of topic {}: {}", topic, why));
    }
    for (int p = 0; p < md->topics[0].partition_cnt; p++) {
      int32_t partition = md->topics[0].partitions[p].id;
      int64_t lo = 0, hi = 0;
      e = rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &lo, &hi, 30000);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw std::runtime_error(fmt::format("watermarks of {}[{}]: {}", topic, partition, rd_kafka_err2str(e)));
      if (hi > lo) {
        high[{topic, partition}] = hi;
        rd_kafka_topic_partition_list_add(assignment, topic.c_str(), partition)->offset = RD_KAFKA_OFFSET_BEGINNING;
      }
    }
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
  }
  std::vector<Record> out;
  if (assignment->cnt > 0) rd_kafka_assign(rk, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!high.empty() && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Record r;
      r.topic = rd_kafka_topic_name(m->rkt);
      r.partition = m->partition;
      r.offset = m->offset;
      r.has_key = m->key != nullptr;
      if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
      auto it = high.find({r.topic, r.partition});
      if (it != high.end() && r.offset + 1 >= it->second) high.erase(it);
      out.push_back(std::move(r));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  if (!high.empty())
    throw std::runtime_error(fmt::format("reading the topics took longer than {} s; {} partitions unfinished",
                                         timeout.count(), high.size()));
  return out;
}

// How many messages a topic holds (the sum of its partitions' high watermarks), asked again and
// again while a run writes to it; 0 for partitions (or a topic) that do not exist yet.
class TopicCounter {
 public:
  explicit TopicCounter(const std::string& bootstrap) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk_) throw std::runtime_error(std::string("watermark client: ") + err);
  }
  TopicCounter(const TopicCounter&) = delete;
  TopicCounter& operator=(const TopicCounter&) = delete;
  ~TopicCounter() { rd_kafka_destroy(rk_); }
  int64_t count(const std::string& topic, int partitions) {
    int64_t total = 0;
    for (int p = 0; p < partitions; p++) {
      int64_t lo = 0, hi = 0;
      if (rd_kafka_query_watermark_offsets(rk_, topic.c_str(), p, &lo, &hi, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR)
        total += hi;
    }
    return total;
  }

 private:
  rd_kafka_t* rk_ = nullptr;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The last `n` lines of `text`, for failure messages.
inline std::string tail(const std::string& text, size_t n = 30) {
  size_t pos = text.size();
  for (size_t k = 0; k <= n && pos > 0; k++) {
    size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    if (k < n) pos = nl;
  }
  return text.substr(pos);
}

// One `obsync run` child whose stderr goes to a log file.
class ObsyncRun {
 public:
  ObsyncRun(const std::vector<std::string>& args, std::filesystem::path log) : log_(std::move(log)) {
    std::vector<std::string> argv{OBSYNC_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    child_ = test::ChildProcess(argv, log_);
  }
  pid_t pid() const { return child_.pid(); }
  bool running() { return child_.running(); }
  std::string log() const { return read_file(log_); }
  // True once `needle` is in the log; false when the run ended or `timeout` passed first.
  bool wait_log(const std::string& needle, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (log().find(needle) != std::string::npos) return true;
      if (!child_.running()) return log().find(needle) != std::string::npos;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // Waits for the exit; SIGKILL after `timeout`. Returns the exit code, -1 for a signal/timeout.
  int wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (child_.running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (child_.running()) {
      child_.stop(std::chrono::milliseconds(100));
      return -1;
    }
    int st = child_.wait_status();
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  // SIGTERM (a clean stop: in-flight messages waited for, checkpoint written); SIGKILL after
  // `grace`. Returns the exit code, -1 for a signal.
  int terminate(std::chrono::milliseconds grace) {
    child_.stop(grace);
    int st = child_.wait_status();
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  void kill9() {
    ::kill(child_.pid(), SIGKILL);
    child_.stop(std::chrono::milliseconds(100));
  }

 private:
  std::filesystem::path log_;
  test::ChildProcess child_;
};

inline std::string base64(std::string_view bytes) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) | static_cast<unsigned char>(bytes[i + 2]);
    out += abc[n >> 18];
    out += abc[(n >> 12) & 63];
    out += abc[(n >> 6) & 63];
    out += abc[n & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    out += abc[n >> 18];
    out += abc[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
    out += abc[n >> 18];
    out += abc[(n >> 12) & 63];
    out += abc[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
inline int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

inline int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace obsync::e2e

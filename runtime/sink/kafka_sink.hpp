// The Kafka sink: a librdkafka producer (idempotent by default) with delivery reports by ticket,
// and the admin calls the SCHEMA step and precheck need. Nothing else in obsync includes
// librdkafka.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace obsync {
struct Plan;
}

namespace obsync::sink {

struct SinkConfig {
  std::string name;       // the SINK's name in the script
  std::string bootstrap;  // "host:port,host:port"
  // librdkafka properties in the order they are applied: obsync's defaults, then those derived
  // from the SINK's own properties (security, SASL, TLS), then `properties = (…)` verbatim.
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<std::string> secret_keys;  // property names whose values are never printed
  bool idempotent = true;
  bool transactional = false;  // DELIVERY EXACTLY ONCE
};

// The sink config of the plan's sink (the project's TO, or the only SINK), reading env() and
// file() values now. nullopt with `error` (naming the property) when a value is missing.
std::optional<SinkConfig> sink_config_from_plan(const Plan& plan, std::string& error);

// A failure of the sink: what, where, the broker's or librdkafka's text, and whether waiting can
// help (broker down, leader moving) or not (authentication, authorization, message too large).
struct SinkError {
  std::string message;
  bool retryable = false;
  bool empty() const { return message.empty(); }
};

struct TopicSpec {
  std::string name;
  int partitions = 3;
  int replicas = 1;
};

struct TopicInfo {
  std::string name;
  int partitions = 0;  // 0: the topic does not exist
};

class KafkaSink {
 public:
  // Called from poll()/flush() for each message: its ticket and the error ("" when the broker
  // acknowledged it).
  using DeliveryFn = std::function<void(uint64_t ticket, const SinkError& error)>;

  // Creates the producer. A property librdkafka rejects is an error naming the property and
  // librdkafka's reason (never the value of a secret).
  static std::unique_ptr<KafkaSink> create(const SinkConfig& config, DeliveryFn on_delivery, SinkError& error);
  ~KafkaSink();

  // Enqueues one message; blocks (serving delivery reports) while librdkafka's queue is full.
  // `partition` -1: librdkafka's partitioner (not used by obsync; it partitions itself).
  bool produce(const std::string& topic, int32_t partition, std::string_view key, bool has_key,
               std::string_view value, uint64_t ticket, SinkError& error);
  // Serves delivery reports for up to `timeout_ms`.
  void poll(int timeout_ms);
  // Waits until every message was acknowledged or failed; false on timeout.
  bool flush(int timeout_ms);
  size_t in_flight() const;

  // Metadata: the topics' partition counts (0 for a missing topic). Error when the cluster
  // cannot be reached within `timeout_ms`.
  bool describe_topics(const std::vector<std::string>& topics, std::vector<TopicInfo>& out, SinkError& error,
                       int timeout_ms = 10000);
  // Creates the missing topics; an existing topic is left alone (never altered). `created`
  // lists the ones created now.
  // `validate_only`: the broker checks that it could create them (precheck) and creates none.
  bool create_topics(const std::vector<TopicSpec>& topics, std::vector<std::string>& created, SinkError& error,
                     int timeout_ms = 30000, bool validate_only = false);
  // The topic's max.message.bytes (the broker's default when the topic does not set it).
  bool topic_max_message_bytes(const std::string& topic, int64_t& out, SinkError& error, int timeout_ms = 10000);
  // Brokers in the cluster ("id@host:port"), for precheck.
  bool brokers(std::vector<std::string>& out, SinkError& error, int timeout_ms = 10000);

  const SinkConfig& config() const { return config_; }

 private:
  struct Impl;
  explicit KafkaSink(SinkConfig config);
  SinkConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace obsync::sink

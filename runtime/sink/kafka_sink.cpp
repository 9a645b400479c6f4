// librdkafka behind obsync's sink interface: configuration from the SINK declaration, the
// idempotent producer with per-message tickets, and the admin calls (metadata, CreateTopics,
// DescribeConfigs).
#include "runtime/sink/kafka_sink.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "compiler/sema/checker.hpp"
#include "runtime/source/source_config.hpp"

namespace obsync::sink {

namespace {

bool is_secret_key(std::string_view key) {
  std::string k(key);
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
  return k.find("password") != std::string::npos || k.find("secret") != std::string::npos ||
         k.find("sasl.jaas") != std::string::npos || k.find("oauthbearer.config") != std::string::npos;
}

// Kafka errors that waiting can cure (librdkafka retries them itself up to message.timeout.ms).
bool retryable(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return true;
    default:
      return false;
  }
}

std::string hint(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
      return "; the message is larger than the topic's max.message.bytes (or the producer's message.max.bytes): "
             "raise the limit, or leave large columns out with COLUMNS EXCEPT";
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      return "; grant the sink's user WRITE (and DESCRIBE, CREATE for the SCHEMA step) on the topic";
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
      return "; check sasl_user, sasl_password and sasl_mechanism of the SINK";
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return "; the topic does not exist: let the SCHEMA step create it, or create it yourself";
    default:
      return {};
  }
}

}  // namespace

std::optional<SinkConfig> sink_config_from_plan(const Plan& plan, std::string& error) {
  const ConnectionPlan* conn = nullptr;
  for (const auto& s : plan.sinks)
    if (plan.project.sink.empty() || s.name == plan.project.sink) {
      conn = &s;
      break;
    }
  if (conn == nullptr) {
    error = "the script declares no SINK; add one: SINK kafka KAFKA (bootstrap = 'host:9092');";
    return std::nullopt;
  }
  SinkConfig c;
  c.name = conn->name;
  std::string owner = "SINK " + c.name;
  auto set = [&c](std::string key, std::string value) {
    for (auto& [k, v] : c.properties)
      if (k == key) {
        v = std::move(value);
        return;
      }
    c.properties.emplace_back(std::move(key), std::move(value));
  };
  set("client.id", fmt::format("obsync-{}", plan.project.name));
  set("enable.idempotence", "true");  // no duplicates or reordering from librdkafka's own retries
  set("acks", "all");
  set("linger.ms", "5");
  set("message.timeout.ms", "300000");
  c.transactional = plan.project.exactly_once;
  for (const auto& p : conn->properties) {
    if (p.key == "properties") {
      for (const auto& e : p.entries) {
        std::string v;
        if (!source::resolve_property(e, owner, v, error)) return std::nullopt;
        if (is_secret_key(e.key) || e.secret) c.secret_keys.push_back(e.key);
        if (e.key == "enable.idempotence") c.idempotent = v == "true";
        set(e.key, v);
      }
      continue;
    }
    std::string v;
    if (!source::resolve_property(p, owner, v, error)) return std::nullopt;
    if (p.key == "bootstrap") {
      c.bootstrap = v;
      set("bootstrap.servers", v);
    } else if (p.key == "client_id") {
      set("client.id", v);
    } else if (p.key == "version") {
      set("broker.version.fallback", v);
      // Brokers before 0.10 do not answer ApiVersionRequest.
      if (v.rfind("0.8", 0) == 0 || v.rfind("0.9", 0) == 0) set("api.version.request", "false");
    } else if (p.key == "security") {
      set("security.protocol", v);
    } else if (p.key == "sasl_mechanism") {
      set("sasl.mechanisms", v);
    } else if (p.key == "sasl_user") {
      set("sasl.username", v);
    } else if (p.key == "sasl_password") {
      set("sasl.password", v);
      c.secret_keys.push_back("sasl.password");
    } else if (p.key == "ssl_ca") {
      set("ssl.ca.location", v);
    } else if (p.key == "ssl_cert") {
      set("ssl.certificate.location", v);
    } else if (p.key == "ssl_key") {
      set("ssl.key.location", v);
    } else if (p.key == "ssl_key_password") {
      set("ssl.key.password", v);
      c.secret_keys.push_back("ssl.key.password");
    }
  }
  if (c.bootstrap.empty()) {
    error = fmt::format("SINK {} has no 'bootstrap' property; add bootstrap = 'host:9092'", c.name);
    return std::nullopt;
  }
  return c;
}

struct KafkaSink::Impl {
  rd_kafka_t* rk = nullptr;
  DeliveryFn on_delivery;
  std::atomic<size_t> in_flight{0};
  std::string describe;  // "SINK kafka (127.0.0.1:9092)"
  // librdkafka's last error log line (authentication, TLS, resolution…): a metadata timeout
  // alone says only "transport failure", this says why.
  std::mutex log_mutex;
  std::string last_error;

  std::string why() {
    std::lock_guard lock(log_mutex);
    if (last_error.empty()) return {};
    std::string hint;
    if (last_error.find("uthentication") != std::string::npos)
      hint = "; check sasl_user, sasl_password and sasl_mechanism of the SINK";
    else if (last_error.find("SSL") != std::string::npos || last_error.find("certificate") != std::string::npos)
      hint = "; check security and the ssl_* properties of the SINK";
    return fmt::format(" (librdkafka: {}{})", last_error, hint);
  }

  // librdkafka's log lines go to standard error in obsync's words, errors remembered for why().
  static void log_cb(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
    auto* self = static_cast<Impl*>(rd_kafka_opaque(rk));
    if (self != nullptr && level <= 3) {
      std::lock_guard lock(self->log_mutex);
      // "sasl_plaintext://127.0.0.1:40725/bootstrap: SASL authentication error: …": keep the reason.
      std::string_view text(buf);
      size_t cut = text.find("/bootstrap: ");
      if (cut != std::string_view::npos) text.remove_prefix(cut + 12);
      if (self->last_error == text) return;  // repeated
      self->last_error = std::string(text);
    }
    if (level <= 4) std::fprintf(stderr, "kafka %s: %s\n", fac, buf);
  }

  ~Impl() {
    if (rk != nullptr) {
      rd_kafka_flush(rk, 5000);
      rd_kafka_destroy(rk);
    }
  }

  static void delivery_cb(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    self->in_flight--;
    SinkError e;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      e.message = fmt::format("{}: message to {} [{}] failed: {}{}", self->describe,
                              m->rkt ? rd_kafka_topic_name(m->rkt) : "?", m->partition, rd_kafka_err2str(m->err),
                              hint(m->err));
      e.retryable = retryable(m->err);
    }
    uint64_t ticket = reinterpret_cast<uintptr_t>(m->_private);
    // Exceptions must not cross librdkafka's frames.
    try {
      if (self->on_delivery) self->on_delivery(ticket, e);
    } catch (...) {
    }
  }
};

KafkaSink::KafkaSink(SinkConfig config) : config_(std::move(config)), impl_(std::make_unique<Impl>()) {}
KafkaSink::~KafkaSink() = default;

std::unique_ptr<KafkaSink> KafkaSink::create(const SinkConfig& config, DeliveryFn on_delivery, SinkError& error) {
  std::unique_ptr<KafkaSink> sink(new KafkaSink(config));
  sink->impl_->on_delivery = std::move(on_delivery);
  sink->impl_->describe = fmt::format("SINK {} ({})", config.name, config.bootstrap);
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (const auto& [k, v] : config.properties) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      bool secret = std::find(config.secret_keys.begin(), config.secret_keys.end(), k) != config.secret_keys.end();
      error.message = fmt::format("SINK {}: property '{}'{} is not accepted by librdkafka: {}", config.name, k,
                                  secret ? "" : fmt::format(" = '{}'", v), errstr);
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, &Impl::delivery_cb);
  rd_kafka_conf_set_log_cb(conf, &Impl::log_cb);
  rd_kafka_conf_set_opaque(conf, sink->impl_.get());
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    error.message = fmt::format("SINK {}: cannot create the Kafka producer: {}", config.name, errstr);
    rd_kafka_conf_destroy(conf);  // rd_kafka_new frees it only on success
    return nullptr;
  }
  sink->impl_->rk = rk;
  return sink;
}

bool KafkaSink::produce(const std::string& topic, int32_t partition, std::string_view key, bool has_key,
                        std::string_view value, uint64_t ticket, SinkError& error) {
  while (true) {
    impl_->in_flight++;
    rd_kafka_resp_err_t err = rd_kafka_producev(
        impl_->rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_KEY(has_key ? const_cast<char*>(key.data()) : nullptr, has_key ? key.size() : 0),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(ticket))), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
    impl_->in_flight--;
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(impl_->rk, 50);  // backpressure: wait for acknowledgements
      continue;
    }
    error.message = fmt::format("{}: cannot send to {} [{}]: {}{}", impl_->describe, topic, partition,
                                rd_kafka_err2str(err), hint(err));
    error.retryable = false;
    return false;
  }
}

void KafkaSink::poll(int timeout_ms) { rd_kafka_poll(impl_->rk, timeout_ms); }

bool KafkaSink::flush(int timeout_ms) { return rd_kafka_flush(impl_->rk, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR; }

size_t KafkaSink::in_flight() const { return impl_->in_flight; }

bool KafkaSink::describe_topics(const std::vector<std::string>& topics, std::vector<TopicInfo>& out, SinkError& error,
                                int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(impl_->rk, 1, nullptr, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::string why = impl_->why();
    error.message = fmt::format("{}: cannot read the cluster's metadata: {}{}", impl_->describe, rd_kafka_err2str(err),
                                why.empty() ? "; check that the brokers are reachable and bootstrap is right" : why);
    error.retryable = retryable(err);
    return false;
  }
  out.clear();
  for (const auto& name : topics) {
    TopicInfo info{name, 0};
    for (int i = 0; i < md->topic_cnt; i++)
      if (name == md->topics[i].topic && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
        info.partitions = md->topics[i].partition_cnt;
    out.push_back(info);
  }
  rd_kafka_metadata_destroy(md);
  return true;
}

bool KafkaSink::brokers(std::vector<std::string>& out, SinkError& error, int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(impl_->rk, 0, nullptr, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::string why = impl_->why();
    error.message = fmt::format("{}: cannot reach the cluster: {}{}", impl_->describe, rd_kafka_err2str(err),
                                why.empty() ? "; check that the brokers are reachable and bootstrap is right" : why);
    error.retryable = retryable(err);
    return false;
  }
  out.clear();
  for (int i = 0; i < md->broker_cnt; i++)
    out.push_back(fmt::format("{}@{}:{}", md->brokers[i].id, md->brokers[i].host, md->brokers[i].port));
  rd_kafka_metadata_destroy(md);
  return true;
}

bool KafkaSink::create_topics(const std::vector<TopicSpec>& topics, std::vector<std::string>& created,
                              SinkError& error, int timeout_ms, bool validate_only) {
  created.clear();
  if (topics.empty()) return true;
  std::vector<rd_kafka_NewTopic_t*> nts;
  char errstr[512];
  for (const auto& t : topics) {
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, t.replicas, errstr, sizeof errstr);
    if (nt == nullptr) {
      for (auto* x : nts) rd_kafka_NewTopic_destroy(x);
      error.message = fmt::format("{}: topic {}: {}", impl_->describe, t.name, errstr);
      return false;
    }
    nts.push_back(nt);
  }
  rd_kafka_queue_t* q = rd_kafka_queue_new(impl_->rk);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(impl_->rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms, errstr, sizeof errstr);
  rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, errstr, sizeof errstr);
  if (validate_only) rd_kafka_AdminOptions_set_validate_only(opts, 1, errstr, sizeof errstr);
  rd_kafka_CreateTopics(impl_->rk, nts.data(), nts.size(), opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, timeout_ms + 5000);
  bool ok = true;
  if (ev == nullptr) {
    error.message = fmt::format("{}: creating topics timed out after {} ms", impl_->describe, timeout_ms);
    error.retryable = true;
    ok = false;
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error.message = fmt::format("{}: creating topics failed: {}{}", impl_->describe, rd_kafka_event_error_string(ev),
                                hint(rd_kafka_event_error(ev)));
    error.retryable = retryable(rd_kafka_event_error(ev));
    ok = false;
  } else {
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; i++) {
      rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      std::string name = rd_kafka_topic_result_name(results[i]);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        created.push_back(name);
      } else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* why = rd_kafka_topic_result_error_string(results[i]);
        error.message = fmt::format("{}: cannot create topic {}: {}{}", impl_->describe, name,
                                    why ? why : rd_kafka_err2str(err), hint(err));
        error.retryable = retryable(err);
        ok = false;
      }
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_queue_destroy(q);
  for (auto* x : nts) rd_kafka_NewTopic_destroy(x);
  return ok;
}

bool KafkaSink::topic_max_message_bytes(const std::string& topic, int64_t& out, SinkError& error, int timeout_ms) {
  rd_kafka_ConfigResource_t* res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  rd_kafka_queue_t* q = rd_kafka_queue_new(impl_->rk);
  char errstr[512];
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(impl_->rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, errstr, sizeof errstr);
  rd_kafka_DescribeConfigs(impl_->rk, &res, 1, opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, timeout_ms + 5000);
  bool ok = false;
  if (ev == nullptr) {
    error.message = fmt::format("{}: describing topic {} timed out", impl_->describe, topic);
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error.message = fmt::format("{}: describing topic {} failed: {}", impl_->describe, topic,
                                rd_kafka_event_error_string(ev));
  } else {
    const rd_kafka_DescribeConfigs_result_t* r = rd_kafka_event_DescribeConfigs_result(ev);
    size_t n = 0;
    const rd_kafka_ConfigResource_t** rs = rd_kafka_DescribeConfigs_result_resources(r, &n);
    for (size_t i = 0; i < n && !ok; i++) {
      if (rd_kafka_ConfigResource_error(rs[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        error.message = fmt::format("{}: describing topic {} failed: {}", impl_->describe, topic,
                                    rd_kafka_ConfigResource_error_string(rs[i]));
        break;
      }
      size_t cn = 0;
      const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(rs[i], &cn);
      for (size_t k = 0; k < cn; k++)
        if (std::strcmp(rd_kafka_ConfigEntry_name(entries[k]), "max.message.bytes") == 0 &&
            rd_kafka_ConfigEntry_value(entries[k]) != nullptr) {
          out = std::stoll(rd_kafka_ConfigEntry_value(entries[k]));
          ok = true;
        }
    }
    if (!ok && error.message.empty())
      error.message = fmt::format("{}: topic {} reports no max.message.bytes", impl_->describe, topic);
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_queue_destroy(q);
  rd_kafka_ConfigResource_destroy(res);
  return ok;
}

}  // namespace obsync::sink

// Checkpoint file: JSON, written atomically.
#include "runtime/state/checkpoint.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace obsync::state {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "obsync-checkpoint/1";

json position_json(const source::BinlogPosition& p) {
  json j = json::object();
  if (p.empty()) return j;
  j["file"] = p.file;
  j["offset"] = p.offset;
  if (!p.gtid_set.empty()) {
    j["gtid_set"] = p.gtid_set;
    j["gtid_flavor"] = p.mariadb_gtid ? "mariadb" : "mysql";
  }
  return j;
}

source::BinlogPosition position_from(const json& j) {
  source::BinlogPosition p;
  if (!j.is_object() || !j.contains("file")) return p;
  p.file = j.at("file").get<std::string>();
  p.offset = j.at("offset").get<uint64_t>();
  if (j.contains("gtid_set")) {
    p.gtid_set = j.at("gtid_set").get<std::string>();
    p.mariadb_gtid = j.value("gtid_flavor", "mysql") == "mariadb";
  }
  return p;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string checkpoint_path(const std::string& state_dir) { return (fs::path(state_dir) / "checkpoint.json").string(); }

std::string checkpoint_to_json(const Checkpoint& c) {
  json j;
  j["format"] = kFormat;
  j["project"] = c.project;
  j["updated_at"] = c.updated_at;
  j["position"] = position_json(c.position);
  j["transactions"] = c.transactions;
  j["last_gtid"] = c.last_gtid;
  j["last_commit_ts_us"] = c.last_commit_ts_us;
  j["full_sync_start"] = position_json(c.full_sync_start);
  j["full_sync_done"] = c.full_sync_done;
  json tables = json::object();
  for (const auto& [name, t] : c.full_sync) {
    json key = json::array();
    for (const auto& k : t.last_key) key.push_back(k ? json(*k) : json(nullptr));
    tables[name] = {{"done", t.done}, {"rows", t.rows}, {"last_key", key}};
  }
  j["full_sync"] = tables;
  if (!c.schema_history.empty()) {
    // Embedded as JSON (not a string) so the file stays readable; invalid text is kept as a string.
    auto parsed = json::parse(c.schema_history, nullptr, false);
    j["schema_history"] = parsed.is_discarded() ? json(c.schema_history) : parsed;
  }
  return j.dump(2) + "\n";
}

std::optional<Checkpoint> checkpoint_from_json(std::string_view text, std::string& error) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "the checkpoint is not valid JSON";
    return std::nullopt;
  }
  if (j.value("format", "") != kFormat) {
    error = fmt::format("the checkpoint has format '{}', this obsync reads '{}'", j.value("format", "?"), kFormat);
    return std::nullopt;
  }
  try {
    Checkpoint c;
    c.project = j.value("project", "");
    c.updated_at = j.value("updated_at", "");
    c.position = position_from(j.value("position", json::object()));
    c.transactions = j.value("transactions", uint64_t{0});
    c.last_gtid = j.value("last_gtid", "");
    c.last_commit_ts_us = j.value("last_commit_ts_us", int64_t{0});
    c.full_sync_start = position_from(j.value("full_sync_start", json::object()));
    c.full_sync_done = j.value("full_sync_done", false);
    const json tables = j.value("full_sync", json::object());
    for (const auto& [name, t] : tables.items()) {
      TableFullSync s;
      s.done = t.value("done", false);
      s.rows = t.value("rows", uint64_t{0});
      const json key = t.value("last_key", json::array());
      for (const auto& k : key)
        s.last_key.push_back(k.is_null() ? std::nullopt : std::optional<std::string>(k.get<std::string>()));
      c.full_sync[name] = std::move(s);
    }
    if (j.contains("schema_history"))
      c.schema_history = j["schema_history"].is_string() ? j["schema_history"].get<std::string>()
                                                         : j["schema_history"].dump();
    return c;
  } catch (const json::exception& e) {
    error = fmt::format("the checkpoint has a field of the wrong type ({})", e.what());
    return std::nullopt;
  }
}

bool write_file_atomically(const std::string& path, std::string_view content, std::string& error) {
  fs::path target(path);
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string tmp = (dir / (target.filename().string() + ".tmp")).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = fmt::format("cannot write {}: {}", tmp, std::strerror(errno));
    return false;
  }
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = fmt::format("cannot write {}: {}", tmp, std::strerror(errno));
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    error = fmt::format("cannot flush {} to disk: {}", tmp, std::strerror(errno));
    ::close(fd);
    ::unlink(tmp.c_str());
    return false;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    error = fmt::format("cannot replace {}: {}", path, std::strerror(errno));
    ::unlink(tmp.c_str());
    return false;
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // the rename itself must survive a power loss
    ::close(dfd);
  }
  return true;
}

bool write_checkpoint(const std::string& state_dir, Checkpoint checkpoint, std::string& error) {
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec) {
    error = fmt::format("cannot create state directory {}: {}", state_dir, ec.message());
    return false;
  }
  checkpoint.updated_at = utc_now();
  return write_file_atomically(checkpoint_path(state_dir), checkpoint_to_json(checkpoint), error);
}

std::optional<Checkpoint> read_checkpoint(const std::string& state_dir, std::string& error) {
  error.clear();
  std::string path = checkpoint_path(state_dir);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno != ENOENT) error = fmt::format("cannot read {}: {}", path, std::strerror(errno));
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string why;
  auto c = checkpoint_from_json(ss.str(), why);
  if (!c) error = fmt::format("{}: {}; move it away to start over (changes since it would be read again)", path, why);
  return c;
}

std::optional<StateLock> StateLock::acquire(const std::string& state_dir, std::string& error) {
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  std::string path = (fs::path(state_dir) / "lock").string();
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = fmt::format("cannot open {}: {}", path, std::strerror(errno));
    return std::nullopt;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    error = fmt::format("state directory {} is in use by another obsync process{}; stop it first", state_dir,
                        pid.empty() ? "" : fmt::format(" (pid {})", pid));
    ::close(fd);
    return std::nullopt;
  }
  std::string me = fmt::format("{}\n", getpid());
  if (::ftruncate(fd, 0) == 0) {
    ssize_t ignored = ::pwrite(fd, me.data(), me.size(), 0);
    (void)ignored;
  }
  return StateLock(fd);
}

StateLock::StateLock(StateLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
StateLock& StateLock::operator=(StateLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}
StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace obsync::state

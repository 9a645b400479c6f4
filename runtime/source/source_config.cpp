// Source configuration from a checked plan: property values, env()/file() resolution, server_id.
#include "runtime/source/source_config.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "compiler/sema/checker.hpp"

namespace obsync::source {

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::OceanBase: return "OCEANBASE";
    case SourceKind::MySql: return "MYSQL";
    case SourceKind::MariaDb: return "MARIADB";
  }
  return "MYSQL";
}

std::string Endpoint::to_string() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

std::string SourceConfig::describe(const Endpoint& which) const {
  return fmt::format("{}@{}", user, which.to_string());
}

uint32_t derive_server_id(std::string_view project_name) {
  // FNV-1a 64 folded to 32 bits: fixed by definition, so the id never changes between versions.
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : project_name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  uint32_t folded = static_cast<uint32_t>(h ^ (h >> 32));
  constexpr uint32_t kLow = 1u << 24;
  return kLow + folded % (0xFFFFFFFFu - kLow + 1u);
}

bool resolve_property(const PlanProperty& p, std::string_view owner, std::string& out, std::string& error) {
  switch (p.kind) {
    case ast::PropertyValue::Kind::Env: {
      const char* v = std::getenv(p.value.c_str());
      if (v == nullptr) {
        error = fmt::format("{}: property '{}' reads environment variable {}, which is not set; "
                            "export it before running obsync",
                            owner, p.key, p.value);
        return false;
      }
      out = v;
      return true;
    }
    case ast::PropertyValue::Kind::File: {
      std::ifstream in(p.value, std::ios::binary);
      if (!in) {
        error = fmt::format("{}: property '{}' reads file '{}', which cannot be opened: {}", owner,
                            p.key, p.value, std::strerror(errno));
        return false;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      out = ss.str();
      // Secret files usually end with a newline that is not part of the secret.
      while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
      return true;
    }
    default:
      out = p.value;
      return true;
  }
}

namespace {

bool parse_port(std::string_view text, unsigned& port) {
  if (text.empty() || text.size() > 5) return false;
  unsigned v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v == 0 || v > 65535) return false;
  port = v;
  return true;
}

bool parse_seconds(std::string_view text, std::chrono::seconds& out) {
  if (text.empty() || text.size() > 7) return false;
  long v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = std::chrono::seconds(v);
  return true;
}

}  // namespace

std::optional<SourceConfig> source_config_from_plan(const Plan& plan, std::string& error) {
  const ConnectionPlan* conn = nullptr;
  for (const auto& s : plan.sources)
    if (plan.project.source.empty() || s.name == plan.project.source) {
      conn = &s;
      break;
    }
  if (conn == nullptr) {
    error = "the script declares no SOURCE; add one (SOURCE name MYSQL (host = …, user = …))";
    return std::nullopt;
  }
  SourceConfig c;
  c.name = conn->name;
  c.kind = conn->kind == "OCEANBASE" ? SourceKind::OceanBase
           : conn->kind == "MARIADB" ? SourceKind::MariaDb
                                     : SourceKind::MySql;
  c.server_id = derive_server_id(plan.project.name);
  c.sql.port = c.kind == SourceKind::OceanBase ? 2883 : 3306;
  std::string binlog_text;
  for (const auto& p : conn->properties) {
    std::string v;
    if (!resolve_property(p, "SOURCE " + c.name, v, error)) return std::nullopt;
    auto bad = [&](std::string_view what) {
      error = fmt::format("SOURCE {}: property '{}' {}", c.name, p.key, what);
      return std::nullopt;
    };
    if (p.key == "host") c.sql.host = v;
    else if (p.key == "port") {
      if (!parse_port(v, c.sql.port)) return bad("must be a port number 1-65535");
    } else if (p.key == "user") c.user = v;
    else if (p.key == "password") c.password = v;
    else if (p.key == "binlog") binlog_text = v;
    else if (p.key == "server_id") {
      char* end = nullptr;
      errno = 0;
      unsigned long long id = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || errno != 0 || id == 0 || id > 0xFFFFFFFFull)
        return bad("must be a number 1-4294967295");
      c.server_id = static_cast<uint32_t>(id);
    } else if (p.key == "ssl_mode") {
      std::string m;
      for (char ch : v) m += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (m == "DISABLED") c.tls.mode = TlsMode::Disabled;
      else if (m == "PREFERRED") c.tls.mode = TlsMode::Preferred;
      else if (m == "REQUIRED") c.tls.mode = TlsMode::Required;
      else if (m == "VERIFY_CA") c.tls.mode = TlsMode::VerifyCa;
      else if (m == "VERIFY_IDENTITY") c.tls.mode = TlsMode::VerifyIdentity;
      else return bad("must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY");
    } else if (p.key == "ssl_ca") c.tls.ca = v;
    else if (p.key == "ssl_cert") c.tls.cert = v;
    else if (p.key == "ssl_key") c.tls.key = v;
    else if (p.key == "connect_timeout") {
      if (!parse_seconds(v, c.connect_timeout)) return bad("must be a number of seconds");
    } else if (p.key == "read_timeout") {
      if (!parse_seconds(v, c.read_timeout)) return bad("must be a number of seconds");
    } else if (p.key == "heartbeat") {
      if (!parse_seconds(v, c.heartbeat)) return bad("must be a number of seconds");
    }
  }
  if (c.sql.host.empty()) {
    error = fmt::format("SOURCE {}: property 'host' is required", c.name);
    return std::nullopt;
  }
  c.binlog = c.sql;
  if (!binlog_text.empty()) {
    auto colon = binlog_text.rfind(':');
    std::string host = binlog_text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (colon == std::string::npos || host.empty() || !parse_port(std::string_view(binlog_text).substr(colon + 1), c.binlog.port)) {
      error = fmt::format("SOURCE {}: property 'binlog' must be host:port (got '{}')", c.name, binlog_text);
      return std::nullopt;
    }
    c.binlog.host = host;
  }
  return c;
}

}  // namespace obsync::source

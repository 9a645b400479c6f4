// What it takes to reach a source: endpoints, credentials, TLS, timeouts, the replica identity.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace obsync {
struct Plan;
struct PlanProperty;
}

namespace obsync::source {

enum class SourceKind : uint8_t { OceanBase, MySql, MariaDb };
std::string_view source_kind_name(SourceKind kind);  // "OCEANBASE", "MYSQL", "MARIADB"

struct Endpoint {
  std::string host;
  unsigned port = 3306;
  std::string to_string() const;  // "host:port" ("[::1]:port" for IPv6 literals)
};

// ssl_mode as MySQL's clients name it.
enum class TlsMode : uint8_t { Disabled, Preferred, Required, VerifyCa, VerifyIdentity };

struct TlsOptions {
  TlsMode mode = TlsMode::Preferred;
  std::string ca, cert, key;  // file paths; empty: none
};

struct SourceConfig {
  std::string name;  // the SOURCE's name in the script
  SourceKind kind = SourceKind::MySql;
  Endpoint sql;      // metadata and full sync (OBProxy / observer / mysqld)
  Endpoint binlog;   // replication stream (OceanBase Binlog Service); defaults to `sql`
  std::string user;  // passed through untouched: `user@tenant#cluster` included
  std::string password;  // never printed: use describe() in messages
  uint32_t server_id = 0;  // the replica id this reader registers with
  TlsOptions tls;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds read_timeout{60};  // a replication read waits heartbeat + this
  std::chrono::seconds heartbeat{5};      // requested heartbeat period; 0: none

  // "user@host:port" for messages; `which` selects the endpoint. Never the password.
  std::string describe(const Endpoint& which) const;
};

// The replica server_id derived from a project name: stable across runs and machines (a hash,
// not a random number), in [1 << 24, 2^32 - 1] so it stays clear of the small ids DBAs give
// their own replicas.
uint32_t derive_server_id(std::string_view project_name);

// A SOURCE or SINK property's value with env('…') and file('…') read now (a file's trailing
// newlines dropped). False with `error` naming `owner` ("SOURCE ob"), the property and what to do.
bool resolve_property(const PlanProperty& p, std::string_view owner, std::string& out, std::string& error);

// Builds the config of the plan's source (the project's FROM, or the only SOURCE), reading
// env('…') and file('…') values now. nullopt with `error` set (a complete sentence naming the
// property) when a value is missing or unreadable.
std::optional<SourceConfig> source_config_from_plan(const Plan& plan, std::string& error);

}  // namespace obsync::source

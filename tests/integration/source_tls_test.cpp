// TLS to the source: a private MariaDB with a certificate from a test CA (made with openssl);
// ssl_mode REQUIRED / VERIFY_CA encrypt the SQL and replication connections, a wrong CA fails
// with a clear error, DISABLED stays in the clear.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "runtime/source/binlog_decoder.hpp"
#include "runtime/source/binlog_stream.hpp"
#include "runtime/source/sql_connection.hpp"
#include "tests/infra/mariadb_server.hpp"
#include "tests/infra/process.hpp"

using namespace obsync::source;
namespace fs = std::filesystem;

namespace {

void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = obsync::test::run_process(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// A CA and a server certificate for 127.0.0.1 signed by it, in `dir`.
void make_certificates(const fs::path& dir, const std::string& ca_name) {
  fs::create_directories(dir);
  auto p = [&](const char* f) { return (dir / f).string(); };
  openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + ca_name, "-keyout",
           p("ca-key.pem"), "-out", p("ca.pem")});
  openssl({"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", p("server-key.pem"), "-out",
           p("server.csr")});
  std::ofstream(dir / "ext.cnf") << "subjectAltName=IP:127.0.0.1\n";
  openssl({"x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca-key.pem"), "-CAcreateserial",
           "-days", "2", "-extfile", p("ext.cnf"), "-out", p("server.pem")});
}

SourceConfig config_for(const obsync::test::MariaDbServer& server, TlsMode mode, const fs::path& ca) {
  SourceConfig c;
  c.name = "tls";
  c.kind = SourceKind::MariaDb;
  c.sql = Endpoint{server.host(), server.port()};
  c.binlog = c.sql;
  c.user = server.user();
  c.password = server.password();
  c.server_id = derive_server_id("tls_test");
  c.tls.mode = mode;
  if (!ca.empty()) c.tls.ca = ca.string();
  c.connect_timeout = std::chrono::seconds(5);
  c.heartbeat = std::chrono::seconds(1);
  return c;
}

}  // namespace

TEST_CASE("source over TLS: VERIFY_CA encrypts SQL and replication, a wrong CA is refused", "[source-tls]") {
  fs::path dir = fs::temp_directory_path() / fmt::format("obsync-tls-{}", ::getpid());
  fs::remove_all(dir);
  make_certificates(dir / "good", "obsync test CA");
  make_certificates(dir / "other", "some other CA");
  obsync::test::MariaDbOptions options;
  options.extra_args = {"--ssl-ca=" + (dir / "good/ca.pem").string(), "--ssl-cert=" + (dir / "good/server.pem").string(),
                        "--ssl-key=" + (dir / "good/server-key.pem").string()};
  obsync::test::MariaDbServer server(options);

  SECTION("VERIFY_CA with the right CA: encrypted, and the binlog streams") {
    SourceConfig c = config_for(server, TlsMode::VerifyCa, dir / "good/ca.pem");
    SqlConnection sql(c, c.sql);
    auto cipher = sql.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    REQUIRE(cipher.size() == 1);
    CHECK_FALSE(cipher[0][1].value_or("").empty());
    server.execute("CREATE DATABASE tls1");
    server.execute("CREATE TABLE tls1.t (id INT PRIMARY KEY)");
    BinlogPosition start = current_position(sql);
    server.execute("INSERT INTO tls1.t VALUES (42)");
    StartPosition sp;
    sp.kind = StartPosition::Kind::FilePosition;
    sp.position = start;
    BinlogStream stream(c, sp);
    stream.set_non_blocking(true);
    stream.open();
    obsync::binlog::BinlogDecoder decoder(start.file);
    obsync::binlog::Event ev;
    bool rows = false;
    for (RawEvent raw = stream.next(); !raw.bytes.empty(); raw = stream.next()) {
      if (raw.bytes[4] == obsync::binlog::event_type::kRotate) continue;
      REQUIRE(decoder.decode_event(raw.bytes, raw.position, ev));
      rows = rows || (ev.kind == obsync::binlog::EventKind::Rows && ev.table->db == "tls1");
    }
    CHECK(rows);
  }
  SECTION("REQUIRED without a CA: encrypted, not verified") {
    SourceConfig c = config_for(server, TlsMode::Required, {});
    SqlConnection sql(c, c.sql);
    CHECK_FALSE(sql.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")[0][1].value_or("").empty());
  }
  SECTION("VERIFY_CA with another CA: refused, saying so") {
    SourceConfig c = config_for(server, TlsMode::VerifyCa, dir / "other/ca.pem");
    try {
      SqlConnection sql(c, c.sql);
      FAIL("expected a SourceError");
    } catch (const SourceError& e) {
      std::string m = e.what();
      INFO(m);
      CHECK_THAT(m, Catch::Contains(fmt::format("127.0.0.1:{}", server.port())));
      CHECK((m.find("certificate") != std::string::npos || m.find("SSL") != std::string::npos ||
             m.find("TLS") != std::string::npos));
      CHECK(m.find(server.password()) == std::string::npos);
    }
  }
  SECTION("PREFERRED (the default): encrypted when the server offers TLS") {
    SourceConfig c = config_for(server, TlsMode::Preferred, {});
    SqlConnection sql(c, c.sql);
    CHECK_FALSE(sql.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")[0][1].value_or("").empty());
  }
  SECTION("DISABLED: in the clear") {
    SourceConfig c = config_for(server, TlsMode::Disabled, {});
    SqlConnection sql(c, c.sql);
    CHECK(sql.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'")[0][1].value_or("").empty());
  }
  fs::remove_all(dir);
}

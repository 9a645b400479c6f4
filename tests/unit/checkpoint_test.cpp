// The checkpoint store: round trip, atomic replacement, clear errors, the state lock.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime/state/checkpoint.hpp"

namespace fs = std::filesystem;
using namespace obsync::state;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "obsync-cp-XXXXXX").string();
    path = mkdtemp(t.data());
  }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

TEST_CASE("checkpoint round trip keeps every field", "[checkpoint]") {
  TempDir dir;
  Checkpoint c;
  c.project = "shop";
  c.position = {"mysql-bin.000007", 98765, "0-1-42,1-2-7", true};
  c.transactions = 1234;
  c.last_gtid = "0-1-42";
  c.last_commit_ts_us = 1764000000123456;
  c.full_sync_start = {"mysql-bin.000002", 4, "", false};
  c.full_sync["shop.orders"] = {true, 1000000, {std::string("999999")}};
  c.full_sync["shop.items"] = {false, 20, {std::string("a'b"), std::nullopt}};
  c.schema_history = R"({"format":"x","tables":[]})";
  std::string error;
  REQUIRE(write_checkpoint(dir.path.string(), c, error));
  auto back = read_checkpoint(dir.path.string(), error);
  REQUIRE(back);
  CHECK(error.empty());
  CHECK(back->project == "shop");
  CHECK(back->position.file == "mysql-bin.000007");
  CHECK(back->position.offset == 98765);
  CHECK(back->position.gtid_set == "0-1-42,1-2-7");
  CHECK(back->position.mariadb_gtid);
  CHECK(back->transactions == 1234);
  CHECK(back->last_commit_ts_us == 1764000000123456);
  CHECK(back->full_sync_start.file == "mysql-bin.000002");
  CHECK(!back->full_sync_start.mariadb_gtid);
  REQUIRE(back->full_sync.size() == 2);
  CHECK(back->full_sync["shop.items"].last_key.size() == 2);
  CHECK(*back->full_sync["shop.items"].last_key[0] == "a'b");
  CHECK(!back->full_sync["shop.items"].last_key[1]);
  CHECK(back->full_sync["shop.orders"].done);
  CHECK(back->schema_history == R"({"format":"x","tables":[]})");
  CHECK(!back->updated_at.empty());
  CHECK(!fs::exists(dir.path / "checkpoint.json.tmp"));
}

TEST_CASE("no checkpoint yet is not an error — a damaged one is", "[checkpoint]") {
  TempDir dir;
  std::string error;
  CHECK(!read_checkpoint(dir.path.string(), error));
  CHECK(error.empty());
  std::ofstream(dir.path / "checkpoint.json") << "{\"format\": \"obsync-checkpoint/1\", \"position\": ";
  CHECK(!read_checkpoint(dir.path.string(), error));
  CHECK(error.find("checkpoint.json: the checkpoint is not valid JSON") != std::string::npos);
  std::ofstream(dir.path / "checkpoint.json") << "{\"format\": \"obsync-checkpoint/9\"}";
  CHECK(!read_checkpoint(dir.path.string(), error));
  CHECK(error.find("format 'obsync-checkpoint/9'") != std::string::npos);
  std::ofstream(dir.path / "checkpoint.json") << R"({"format": "obsync-checkpoint/1", "transactions": "many"})";
  CHECK(!read_checkpoint(dir.path.string(), error));
  CHECK(error.find("wrong type") != std::string::npos);
}

TEST_CASE("a failed write leaves the previous checkpoint intact", "[checkpoint]") {
  if (geteuid() == 0) {
    // root ignores directory permissions; use a path whose parent is a file instead
  }
  TempDir dir;
  std::string error;
  Checkpoint c;
  c.project = "p";
  c.transactions = 1;
  REQUIRE(write_checkpoint(dir.path.string(), c, error));
  // The temp file's name is taken by a directory: the write fails before the rename.
  fs::create_directory(dir.path / "checkpoint.json.tmp");
  c.transactions = 2;
  CHECK(!write_checkpoint(dir.path.string(), c, error));
  CHECK(error.find("checkpoint.json.tmp") != std::string::npos);
  auto back = read_checkpoint(dir.path.string(), error);
  REQUIRE(back);
  CHECK(back->transactions == 1);
}

TEST_CASE("the state lock admits one holder", "[checkpoint]") {
  TempDir dir;
  std::string error;
  auto first = StateLock::acquire(dir.path.string(), error);
  REQUIRE(first);
  // flock locks belong to the open file description: a second open in this process conflicts too.
  auto second = StateLock::acquire(dir.path.string(), error);
  CHECK(!second);
  CHECK(error.find("in use by another obsync process (pid " + std::to_string(getpid()) + ")") != std::string::npos);
  first.reset();
  CHECK(StateLock::acquire(dir.path.string(), error));
}

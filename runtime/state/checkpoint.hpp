// The embedded checkpoint store: one JSON file in the project's state directory, replaced
// atomically (temp file, fsync, rename, fsync of the directory), so a crash at any instant
// leaves either the old or the new checkpoint, never a torn one.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/source/position.hpp"

namespace obsync::state {

struct TableFullSync {
  bool done = false;
  uint64_t rows = 0;
  std::vector<std::optional<std::string>> last_key;  // resume after this key (text form)
};

struct Checkpoint {
  std::string project;
  // The end of the last transaction whose every message the sink acknowledged; the reader
  // resumes here. Empty before the first transaction.
  source::BinlogPosition position;
  uint64_t transactions = 0;      // handled since the project started
  std::string last_gtid;          // of the transaction at `position`
  int64_t last_commit_ts_us = 0;  // its commit time
  // Where the incremental sync starts once the full sync is done (taken before its first chunk).
  source::BinlogPosition full_sync_start;
  std::map<std::string, TableFullSync> full_sync;  // "db.table" → progress
  bool full_sync_done = false;
  std::string schema_history;  // SchemaHistory::to_json(position); empty: none yet
  std::string updated_at;      // UTC, "2026-11-25T10:00:00Z" (set by write)
};

// The file inside a state directory.
std::string checkpoint_path(const std::string& state_dir);

// Writes `checkpoint` into `state_dir` (created if missing). False with `error` (naming the
// path and the system's reason) on failure; the previous checkpoint is then still intact.
bool write_checkpoint(const std::string& state_dir, Checkpoint checkpoint, std::string& error);
// Reads the checkpoint; nullopt with empty `error` when there is none yet, nullopt with
// `error` set when it exists but cannot be read or parsed (never silently ignored).
std::optional<Checkpoint> read_checkpoint(const std::string& state_dir, std::string& error);

std::string checkpoint_to_json(const Checkpoint& checkpoint);
std::optional<Checkpoint> checkpoint_from_json(std::string_view text, std::string& error);

// Replaces `path` with `content` atomically and durably.
bool write_file_atomically(const std::string& path, std::string_view content, std::string& error);

// An exclusive lock on the state directory (flock on a lock file) so that two `obsync run` of
// one project cannot interleave their checkpoints. Released when destroyed.
class StateLock {
 public:
  // nullopt with `error` when another process holds it (naming its pid when known).
  static std::optional<StateLock> acquire(const std::string& state_dir, std::string& error);
  StateLock(StateLock&&) noexcept;
  StateLock& operator=(StateLock&&) noexcept;
  ~StateLock();

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace obsync::state

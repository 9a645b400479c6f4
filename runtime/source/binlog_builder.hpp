// Builds binlog files in memory, event by event: for tests and benchmarks of the decoder.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/source/binlog_event.hpp"

namespace obsync::binlog {

// Appends little-endian / packed integers to a byte string.
void put_le(std::string& out, uint64_t v, int bytes);
void put_packed(std::string& out, uint64_t v);  // MySQL's net_field_length encoding

// One column of a TABLE_MAP to build: its type and metadata bytes as the server writes them.
struct BuildColumn {
  uint8_t type;
  std::string meta;  // 0, 1 or 2 bytes
  bool nullable = true;
};

class BinlogBuilder {
 public:
  // A file: magic and FORMAT_DESCRIPTION ("5.7.38", as OceanBase's Binlog Service announces).
  explicit BinlogBuilder(ChecksumAlg checksum = ChecksumAlg::Crc32, std::string_view server_version = "5.7.38");

  const std::string& bytes() const { return bytes_; }
  std::span<const uint8_t> span() const {
    return {reinterpret_cast<const uint8_t*>(bytes_.data()), bytes_.size()};
  }
  uint64_t size() const { return bytes_.size(); }
  void set_timestamp(uint32_t ts) { timestamp_ = ts; }

  // Appends an event with `body` (after the common header); returns its position.
  uint64_t add(uint8_t type, std::string_view body);

  uint64_t query(std::string_view db, std::string_view sql);
  uint64_t xid(uint64_t xid);
  uint64_t gtid(const uint8_t (&sid)[16], uint64_t gno, uint64_t commit_us = 0);
  uint64_t rotate(std::string_view next_file, uint64_t position = 4);
  uint64_t table_map(uint64_t table_id, std::string_view db, std::string_view table,
                     const std::vector<BuildColumn>& columns, std::string_view optional_metadata = {});
  // A rows event (v2 types 30..32, or v1 23..25) of `ncols` columns, all present, with the
  // given row images (each: null bitmap + values, built by the caller).
  uint64_t rows(uint8_t type, uint64_t table_id, size_t ncols, std::string_view row_images, uint16_t flags = 1);
  // The body of a TABLE_MAP / rows event, for events built into a TRANSACTION_PAYLOAD.
  static std::string table_map_body(uint64_t table_id, std::string_view db, std::string_view table,
                                    const std::vector<BuildColumn>& columns, std::string_view optional_metadata);
  static std::string rows_body(uint8_t type, uint64_t table_id, size_t ncols, std::string_view row_images,
                               uint16_t flags);

 private:
  std::string bytes_;
  bool checksum_;
  uint32_t timestamp_ = 1700000000;
};

}  // namespace obsync::binlog

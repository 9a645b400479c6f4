// Builds binlog files in memory, event by event: for tests and benchmarks of the decoder.
#include "runtime/source/binlog_builder.hpp"

namespace obsync::binlog {

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) out.push_back(static_cast<char>(v >> (8 * i)));
}

void put_packed(std::string& out, uint64_t v) {
  if (v < 251) {
    out.push_back(static_cast<char>(v));
  } else if (v < 65536) {
    out.push_back(static_cast<char>(252));
    put_le(out, v, 2);
  } else if (v < (1u << 24)) {
    out.push_back(static_cast<char>(253));
    put_le(out, v, 3);
  } else {
    out.push_back(static_cast<char>(254));
    put_le(out, v, 8);
  }
}

BinlogBuilder::BinlogBuilder(ChecksumAlg checksum, std::string_view server_version)
    : checksum_(checksum == ChecksumAlg::Crc32) {
  bytes_.assign(reinterpret_cast<const char*>(kBinlogMagic.data()), kBinlogMagic.size());
  bytes_ += make_format_description(server_version, checksum);
}

uint64_t BinlogBuilder::add(uint8_t type, std::string_view body) {
  uint64_t pos = bytes_.size();
  uint32_t next = static_cast<uint32_t>(pos + kHeaderLength + body.size() + (checksum_ ? kChecksumLength : 0));
  bytes_ += make_event(type, timestamp_, body, next, checksum_);
  return pos;
}

uint64_t BinlogBuilder::query(std::string_view db, std::string_view sql) {
  std::string b;
  put_le(b, 1, 4);  // thread id
  put_le(b, 0, 4);  // exec time
  b.push_back(static_cast<char>(db.size()));
  put_le(b, 0, 2);  // error code
  put_le(b, 0, 2);  // status vars length
  b += db;
  b.push_back('\0');
  b += sql;
  return add(event_type::kQuery, b);
}

uint64_t BinlogBuilder::xid(uint64_t xid) {
  std::string b;
  put_le(b, xid, 8);
  return add(event_type::kXid, b);
}

uint64_t BinlogBuilder::gtid(const uint8_t (&sid)[16], uint64_t gno, uint64_t commit_us) {
  std::string b;
  b.push_back(1);  // flags: may have been committed
  b.append(reinterpret_cast<const char*>(sid), 16);
  put_le(b, gno, 8);
  b.push_back(2);  // logical clock
  put_le(b, 0, 8);
  put_le(b, 1, 8);
  if (commit_us) {
    put_le(b, commit_us, 7);
    put_packed(b, 0);
  }
  return add(event_type::kGtid, b);
}

uint64_t BinlogBuilder::rotate(std::string_view next_file, uint64_t position) {
  std::string b;
  put_le(b, position, 8);
  b += next_file;
  return add(event_type::kRotate, b);
}

std::string BinlogBuilder::table_map_body(uint64_t table_id, std::string_view db, std::string_view table,
                                          const std::vector<BuildColumn>& columns,
                                          std::string_view optional_metadata) {
  std::string b;
  put_le(b, table_id, 6);
  put_le(b, 1, 2);  // flags
  b.push_back(static_cast<char>(db.size()));
  b += db;
  b.push_back('\0');
  b.push_back(static_cast<char>(table.size()));
  b += table;
  b.push_back('\0');
  put_packed(b, columns.size());
  std::string meta;
  for (const auto& c : columns) {
    b.push_back(static_cast<char>(c.type));
    meta += c.meta;
  }
  put_packed(b, meta.size());
  b += meta;
  std::string nulls((columns.size() + 7) / 8, '\0');
  for (size_t i = 0; i < columns.size(); i++)
    if (columns[i].nullable) nulls[i / 8] = static_cast<char>(nulls[i / 8] | (1 << (i % 8)));
  b += nulls;
  b += optional_metadata;
  return b;
}

uint64_t BinlogBuilder::table_map(uint64_t table_id, std::string_view db, std::string_view table,
                                  const std::vector<BuildColumn>& columns, std::string_view optional_metadata) {
  return add(event_type::kTableMap, table_map_body(table_id, db, table, columns, optional_metadata));
}

std::string BinlogBuilder::rows_body(uint8_t type, uint64_t table_id, size_t ncols, std::string_view row_images,
                                     uint16_t flags) {
  std::string b;
  put_le(b, table_id, 6);
  put_le(b, flags, 2);
  if (type >= event_type::kWriteRowsV2 && type <= event_type::kDeleteRowsV2) put_le(b, 2, 2);  // no extra data
  put_packed(b, ncols);
  std::string bits((ncols + 7) / 8, '\0');
  for (size_t i = 0; i < ncols; i++) bits[i / 8] = static_cast<char>(bits[i / 8] | (1 << (i % 8)));
  b += bits;
  if (type == event_type::kUpdateRowsV1 || type == event_type::kUpdateRowsV2) b += bits;
  b += row_images;
  return b;
}

uint64_t BinlogBuilder::rows(uint8_t type, uint64_t table_id, size_t ncols, std::string_view row_images,
                             uint16_t flags) {
  return add(type, rows_body(type, table_id, ncols, row_images, flags));
}

}  // namespace obsync::binlog

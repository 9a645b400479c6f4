// Binlog event framing: the v4 header, FORMAT_DESCRIPTION, checksums.
#include "runtime/source/binlog_event.hpp"

#include <vector>

#include <zlib.h>

#include <cstdio>

namespace obsync::binlog {

std::string event_type_name(uint8_t type) {
  using namespace event_type;
  switch (type) {
    case kStartV3: return "START_EVENT_V3";
    case kQuery: return "QUERY_EVENT";
    case kStop: return "STOP_EVENT";
    case kRotate: return "ROTATE_EVENT";
    case kIntvar: return "INTVAR_EVENT";
    case kRand: return "RAND_EVENT";
    case kUserVar: return "USER_VAR_EVENT";
    case kFormatDescription: return "FORMAT_DESCRIPTION_EVENT";
    case kXid: return "XID_EVENT";
    case kTableMap: return "TABLE_MAP_EVENT";
    case kPreGaWriteRows: return "PRE_GA_WRITE_ROWS_EVENT";
    case kPreGaUpdateRows: return "PRE_GA_UPDATE_ROWS_EVENT";
    case kPreGaDeleteRows: return "PRE_GA_DELETE_ROWS_EVENT";
    case kWriteRowsV1: return "WRITE_ROWS_EVENT_V1";
    case kUpdateRowsV1: return "UPDATE_ROWS_EVENT_V1";
    case kDeleteRowsV1: return "DELETE_ROWS_EVENT_V1";
    case kIncident: return "INCIDENT_EVENT";
    case kHeartbeat: return "HEARTBEAT_LOG_EVENT";
    case kIgnorable: return "IGNORABLE_LOG_EVENT";
    case kRowsQuery: return "ROWS_QUERY_LOG_EVENT";
    case kWriteRowsV2: return "WRITE_ROWS_EVENT";
    case kUpdateRowsV2: return "UPDATE_ROWS_EVENT";
    case kDeleteRowsV2: return "DELETE_ROWS_EVENT";
    case kGtid: return "GTID_LOG_EVENT";
    case kAnonymousGtid: return "ANONYMOUS_GTID_LOG_EVENT";
    case kPreviousGtids: return "PREVIOUS_GTIDS_LOG_EVENT";
    case kTransactionContext: return "TRANSACTION_CONTEXT_EVENT";
    case kViewChange: return "VIEW_CHANGE_EVENT";
    case kXaPrepare: return "XA_PREPARE_LOG_EVENT";
    case kPartialUpdateRows: return "PARTIAL_UPDATE_ROWS_EVENT";
    case kTransactionPayload: return "TRANSACTION_PAYLOAD_EVENT";
    case kHeartbeatV2: return "HEARTBEAT_LOG_EVENT_V2";
    case kGtidTagged: return "GTID_TAGGED_LOG_EVENT";
    case kMariaAnnotateRows: return "ANNOTATE_ROWS_EVENT";
    case kMariaBinlogCheckpoint: return "BINLOG_CHECKPOINT_EVENT";
    case kMariaGtid: return "GTID_EVENT";
    case kMariaGtidList: return "GTID_LIST_EVENT";
    case kMariaStartEncryption: return "START_ENCRYPTION_EVENT";
    case kMariaQueryCompressed: return "QUERY_COMPRESSED_EVENT";
    case kMariaWriteRowsCompressedV1: return "WRITE_ROWS_COMPRESSED_EVENT_V1";
    case kMariaUpdateRowsCompressedV1: return "UPDATE_ROWS_COMPRESSED_EVENT_V1";
    case kMariaDeleteRowsCompressedV1: return "DELETE_ROWS_COMPRESSED_EVENT_V1";
    case kMariaWriteRowsCompressed: return "WRITE_ROWS_COMPRESSED_EVENT";
    case kMariaUpdateRowsCompressed: return "UPDATE_ROWS_COMPRESSED_EVENT";
    case kMariaDeleteRowsCompressed: return "DELETE_ROWS_COMPRESSED_EVENT";
    default: return "UNKNOWN_EVENT(" + std::to_string(type) + ")";
  }
}

bool parse_header(std::span<const uint8_t> b, EventHeader& h) {
  if (b.size() < kHeaderLength) return false;
  const uint8_t* p = b.data();
  h.timestamp = load_le32(p);
  h.type = p[4];
  h.server_id = load_le32(p + 5);
  h.event_size = load_le32(p + 9);
  h.next_position = load_le32(p + 13);
  h.flags = load_le16(p + 17);
  return true;
}

namespace {

// Parses "5.6.1-log" style versions into a comparable number (5.6.1 -> 50601).
uint32_t version_number(std::string_view v) {
  uint32_t parts[3] = {0, 0, 0};
  size_t i = 0;
  for (int k = 0; k < 3; k++) {
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') parts[k] = parts[k] * 10 + (v[i++] - '0');
    if (i >= v.size() || v[i] != '.') break;
    i++;
  }
  return parts[0] * 10000 + parts[1] * 100 + parts[2];
}

}  // namespace

bool parse_format_description(std::span<const uint8_t> event, FormatDescription& fd, std::string& why) {
  // Body: binlog_version(2) server_version(50) create_timestamp(4) header_length(1)
  // post_header_length[types] then, from 5.6.1 / MariaDB 5.3, checksum_alg(1) checksum(4).
  constexpr size_t kFixed = kHeaderLength + 2 + 50 + 4 + 1;
  if (event.size() < kFixed) {
    why = "FORMAT_DESCRIPTION_EVENT is truncated";
    return false;
  }
  FormatDescription out;
  const uint8_t* p = event.data() + kHeaderLength;
  out.binlog_version = load_le16(p);
  const char* ver = reinterpret_cast<const char*>(p + 2);
  out.server_version.assign(ver, strnlen(ver, 50));
  out.create_timestamp = load_le32(p + 52);
  out.header_length = p[56];
  if (out.binlog_version != 4) {
    why = "binlog version " + std::to_string(out.binlog_version) + " is not supported (only v4)";
    return false;
  }
  if (out.header_length < kHeaderLength) {
    why = "FORMAT_DESCRIPTION_EVENT announces a header of " + std::to_string(out.header_length) + " bytes";
    return false;
  }
  out.is_mariadb = out.server_version.find("MariaDB") != std::string::npos;
  uint32_t version = version_number(out.server_version);
  bool has_alg = out.is_mariadb ? version >= 50300 : version >= 50601;
  size_t types_end = event.size();
  if (has_alg) {
    if (event.size() < kFixed + 1 + kChecksumLength) {
      why = "FORMAT_DESCRIPTION_EVENT is truncated";
      return false;
    }
    uint8_t alg = event[event.size() - kChecksumLength - 1];
    if (alg != 0 && alg != 1) {
      why = "checksum algorithm " + std::to_string(alg) + " is not supported (only NONE and CRC32)";
      return false;
    }
    out.checksum = static_cast<ChecksumAlg>(alg);
    types_end -= kChecksumLength + 1;
    // The server sets LOG_EVENT_BINLOG_IN_USE_F (0x1) in the header of the active file's
    // FORMAT_DESCRIPTION and clears it at close, without updating the checksum, which was
    // computed with the flag clear (MySQL's Log_event_footer::event_checksum_test does the same).
    bool in_use = (event[17] & 0x01) != 0;
    bool ok = true;
    if (out.checksum == ChecksumAlg::Crc32) {
      if (in_use) {
        std::vector<uint8_t> copy(event.begin(), event.end());
        copy[17] &= static_cast<uint8_t>(~0x01);
        ok = checksum_matches(copy);
      } else {
        ok = checksum_matches(event);
      }
    }
    if (!ok) {
      why = "CRC32 checksum mismatch in FORMAT_DESCRIPTION_EVENT";
      return false;
    }
  }
  for (size_t i = kFixed, type = 1; i < types_end && type < 256; i++, type++)
    out.post_header_length[type] = event[i];
  fd = std::move(out);
  return true;
}

uint32_t crc32(std::span<const uint8_t> bytes) {
  uLong c = ::crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed huge spans in pieces.
  size_t off = 0;
  while (off < bytes.size()) {
    size_t n = std::min<size_t>(bytes.size() - off, 1u << 30);
    c = ::crc32(c, bytes.data() + off, static_cast<uInt>(n));
    off += n;
  }
  return static_cast<uint32_t>(c);
}

bool checksum_matches(std::span<const uint8_t> event) {
  if (event.size() < kChecksumLength) return false;
  size_t n = event.size() - kChecksumLength;
  return crc32(event.first(n)) == load_le32(event.data() + n);
}

namespace {

void put_le(std::string& s, uint64_t v, int n) {
  for (int i = 0; i < n; i++) s.push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace

std::string make_event(uint8_t type, uint32_t timestamp, std::string_view body, uint32_t next_position,
                       bool checksum, uint32_t server_id, uint16_t flags) {
  std::string e;
  uint32_t size = static_cast<uint32_t>(kHeaderLength + body.size() + (checksum ? kChecksumLength : 0));
  e.reserve(size);
  put_le(e, timestamp, 4);
  e.push_back(static_cast<char>(type));
  put_le(e, server_id, 4);
  put_le(e, size, 4);
  put_le(e, next_position, 4);
  put_le(e, flags, 2);
  e.append(body);
  if (checksum)
    put_le(e, crc32({reinterpret_cast<const uint8_t*>(e.data()), e.size()}), 4);
  return e;
}

std::string make_format_description(std::string_view server_version, ChecksumAlg checksum) {
  // MySQL 5.7's post-header lengths for event types 1..38, plus 8.0's 39..41.
  static constexpr uint8_t kPostHeader[] = {56, 13, 0, 8, 0, 18, 0, 4,  4,  4,  4,  18, 0, 0,
                                            95, 0,  4, 26, 8, 0, 0, 0,  8,  8,  8,  2,  0, 0,
                                            0,  10, 10, 10, 42, 42, 0, 18, 52, 0, 10, 40, 0};
  std::string body;
  put_le(body, 4, 2);
  std::string ver(server_version.substr(0, 50));
  ver.resize(50, '\0');
  body += ver;
  put_le(body, 0, 4);
  body.push_back(static_cast<char>(kHeaderLength));
  body.append(reinterpret_cast<const char*>(kPostHeader), sizeof kPostHeader);
  body[2 + 50 + 4 + 1 + 14] = static_cast<char>(2 + 50 + 4 + 1 + sizeof kPostHeader);
  body.push_back(static_cast<char>(checksum));
  // The FORMAT_DESCRIPTION always carries the 4 checksum bytes; they are the CRC when CRC32.
  std::string e = make_event(event_type::kFormatDescription, 0, body, 0, true);
  if (checksum == ChecksumAlg::Off) e.replace(e.size() - 4, 4, 4, '\0');
  // log_pos of the first event: 4 (magic) + its size.
  uint32_t next = static_cast<uint32_t>(4 + e.size());
  for (int i = 0; i < 4; i++) e[13 + i] = static_cast<char>(next >> (8 * i));
  if (checksum == ChecksumAlg::Crc32) {
    uint32_t c = crc32({reinterpret_cast<const uint8_t*>(e.data()), e.size() - 4});
    for (int i = 0; i < 4; i++) e[e.size() - 4 + i] = static_cast<char>(c >> (8 * i));
  }
  return e;
}

}  // namespace obsync::binlog

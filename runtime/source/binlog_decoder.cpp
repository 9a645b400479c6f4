// A pull decoder of binlog events and row changes over bytes (a file, later the replication stream).
#include "runtime/source/binlog_decoder.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <bit>
#include <cerrno>
#include <cstring>

#include "stdlib/ascii.hpp"
#include "stdlib/collation.hpp"

namespace obsync::binlog {

using namespace column_type;

std::string_view row_op_name(RowOp op) {
  switch (op) {
    case RowOp::Insert: return "INSERT";
    case RowOp::Update: return "UPDATE";
    case RowOp::Delete: return "DELETE";
  }
  return "?";
}

namespace {

void append_uuid(std::string& out, const std::array<uint8_t, 16>& sid) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[sid[i] >> 4]);
    out.push_back(kHex[sid[i] & 15]);
  }
}

bool is_numeric_type(uint8_t t) {
  return t == kTiny || t == kShort || t == kInt24 || t == kLong || t == kLongLong || t == kNewDecimal ||
         t == kFloat || t == kDouble;
}

// Columns the optional metadata's charset fields count (MySQL: is_character_type of the real
// type; MariaDB also counts GEOMETRY, whose base class is a BLOB).
bool is_character_type(uint8_t t, bool mariadb) {
  return t == kString || t == kVarString || t == kVarChar || t == kBlob || (mariadb && t == kGeometry);
}

// Whether a binlog column type can hold a column declared as `c` (the schema's type).
bool compatible(uint8_t binlog_type, ColumnType c) {
  switch (binlog_type) {
    case kTiny: return c == ColumnType::TinyInt;
    case kShort: return c == ColumnType::SmallInt;
    case kInt24: return c == ColumnType::MediumInt;
    case kLong: return c == ColumnType::Int;
    case kLongLong: return c == ColumnType::BigInt;
    case kNewDecimal: case kDecimal: return c == ColumnType::Decimal;
    case kFloat: return c == ColumnType::Float;
    case kDouble: return c == ColumnType::Double || c == ColumnType::Float;  // FLOAT(p>24) is DOUBLE
    case kBit: return c == ColumnType::Bit;
    case kYear: return c == ColumnType::Year;
    case kDate: case kNewDate: return c == ColumnType::Date;
    case kTime: case kTime2: return c == ColumnType::Time;
    case kDateTime: case kDateTime2: return c == ColumnType::DateTime;
    case kTimestamp: case kTimestamp2: return c == ColumnType::Timestamp;
    case kString: return c == ColumnType::Char || c == ColumnType::Binary;
    case kEnum: return c == ColumnType::Enum;
    case kSet: return c == ColumnType::Set;
    case kVarChar: case kVarString: return c == ColumnType::VarChar || c == ColumnType::VarBinary;
    case kBlob: case kTinyBlob: case kMediumBlob: case kLongBlob:
      // MariaDB's JSON is a LONGTEXT.
      return c == ColumnType::TinyText || c == ColumnType::Text || c == ColumnType::MediumText ||
             c == ColumnType::LongText || c == ColumnType::TinyBlob || c == ColumnType::Blob ||
             c == ColumnType::MediumBlob || c == ColumnType::LongBlob || c == ColumnType::Json;
    case kJson: return c == ColumnType::Json;
    case kGeometry: return c == ColumnType::Geometry;
    default: return false;
  }
}

// What TABLE_MAP's optional metadata says (binlog_row_metadata=FULL), by field.
struct OptionalMetadata {
  std::vector<uint8_t> signedness;  // MSB-first bits over numeric columns
  bool has_signedness = false;
  uint16_t default_charset = 0;
  std::vector<std::pair<uint32_t, uint16_t>> charset_exceptions;  // (character column, collation)
  std::vector<uint16_t> column_charsets;                          // per character column
  uint16_t enum_set_default_charset = 0;
  std::vector<std::pair<uint32_t, uint16_t>> enum_set_charset_exceptions;
  std::vector<uint16_t> enum_set_column_charsets;
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> enum_labels, set_labels;
  std::vector<uint32_t> primary_key;
};

bool read_string_lists(ByteReader& r, std::vector<std::vector<std::string>>& out) {
  while (r.remaining() && !r.failed()) {
    uint64_t n = r.packed();
    if (n > r.remaining()) return false;
    std::vector<std::string> labels;
    labels.reserve(n);
    for (uint64_t i = 0; i < n && !r.failed(); i++) {
      uint64_t len = r.packed();
      labels.emplace_back(r.str(len));
    }
    out.push_back(std::move(labels));
  }
  return !r.failed();
}

bool parse_optional_metadata(std::span<const uint8_t> bytes, OptionalMetadata& m) {
  ByteReader r(bytes);
  while (r.remaining()) {
    uint8_t type = r.u8();
    uint64_t len = r.packed();
    if (r.failed() || len > r.remaining()) return false;
    ByteReader v(r.bytes(len));
    switch (type) {
      case 1:  // SIGNEDNESS
        m.has_signedness = true;
        m.signedness.assign(v.data(), v.end());
        break;
      case 2:  // DEFAULT_CHARSET
      case 10: {  // ENUM_AND_SET_DEFAULT_CHARSET
        auto& def = type == 2 ? m.default_charset : m.enum_set_default_charset;
        auto& exc = type == 2 ? m.charset_exceptions : m.enum_set_charset_exceptions;
        def = static_cast<uint16_t>(v.packed());
        while (v.remaining() && !v.failed()) {
          uint32_t col = static_cast<uint32_t>(v.packed());
          exc.emplace_back(col, static_cast<uint16_t>(v.packed()));
        }
        break;
      }
      case 3:  // COLUMN_CHARSET
      case 11:  // ENUM_AND_SET_COLUMN_CHARSET
        while (v.remaining() && !v.failed())
          (type == 3 ? m.column_charsets : m.enum_set_column_charsets).push_back(static_cast<uint16_t>(v.packed()));
        break;
      case 4:  // COLUMN_NAME
        while (v.remaining() && !v.failed()) {
          uint64_t n = v.packed();
          m.names.emplace_back(v.str(n));
        }
        break;
      case 5:  // SET_STR_VALUE
        if (!read_string_lists(v, m.set_labels)) return false;
        break;
      case 6:  // ENUM_STR_VALUE
        if (!read_string_lists(v, m.enum_labels)) return false;
        break;
      case 8:  // SIMPLE_PRIMARY_KEY
        while (v.remaining() && !v.failed()) m.primary_key.push_back(static_cast<uint32_t>(v.packed()));
        break;
      case 9:  // PRIMARY_KEY_WITH_PREFIX: (column, prefix length) pairs
        while (v.remaining() && !v.failed()) {
          m.primary_key.push_back(static_cast<uint32_t>(v.packed()));
          v.packed();
        }
        break;
      default: break;  // GEOMETRY_TYPE, COLUMN_VISIBILITY, later additions: not needed
    }
    if (v.failed()) return false;
  }
  return !r.failed();
}

std::string column_list(const TableMap& t) {
  std::string s;
  for (size_t i = 0; i < t.columns.size(); i++) {
    if (i) s += ", ";
    if (!t.columns[i].name.empty()) s += t.columns[i].name + " ";
    s += column_type_name(t.columns[i].type);
  }
  return s;
}

std::string schema_column_list(const TableSchema& t) {
  std::string s;
  for (size_t i = 0; i < t.columns.size(); i++) {
    if (i) s += ", ";
    s += t.columns[i].name + " " + t.columns[i].type_text;
  }
  return s;
}

}  // namespace

std::string Gtid::to_string() const {
  if (anonymous) return {};
  if (mariadb) return fmt::format("{}-{}-{}", domain_id, server_id, seq_no);
  std::string s;
  append_uuid(s, sid);
  s += ':';
  s += std::to_string(gno);
  return s;
}

BinlogDecoder::BinlogDecoder(std::string file_name, DecoderOptions options)
    : file_name_(std::move(file_name)), options_(std::move(options)) {}

void BinlogDecoder::reset(std::span<const uint8_t> bytes, uint64_t start_position) {
  bytes_ = bytes;
  base_position_ = start_position;
  offset_ = 0;
  payload_.clear();
  payload_offset_ = 0;
  rows_table_ = nullptr;
  error_ = {};
  if (start_position == 0) {
    if (bytes.size() < kBinlogMagic.size() || std::memcmp(bytes.data(), kBinlogMagic.data(), 4) != 0) {
      fail(0, fmt::format("{} is not a binlog file (it does not start with the binlog magic bytes fe 62 69 6e)",
                          file_name_));
      return;
    }
    offset_ = kBinlogMagic.size();
  }
}

const TableMap* BinlogDecoder::find_table(uint64_t table_id) const {
  auto it = tables_.find(table_id);
  return it == tables_.end() ? nullptr : it->second.get();
}

void BinlogDecoder::forget_tables() {
  tables_.clear();
  last_table_ = nullptr;
  rows_table_ = nullptr;
}

bool BinlogDecoder::fail(uint64_t position, const std::string& what) {
  error_.file = file_name_;
  error_.position = position;
  error_.message = what;
  rows_table_ = nullptr;
  return false;
}

bool BinlogDecoder::next(Event& ev) {
  if (failed()) return false;
  if (payload_offset_ < payload_.size()) {
    std::span<const uint8_t> rest(payload_.data() + payload_offset_, payload_.size() - payload_offset_);
    EventHeader h;
    if (!parse_header(rest, h) || h.event_size < kHeaderLength || h.event_size > rest.size())
      return fail(payload_position_, fmt::format("cannot decode TRANSACTION_PAYLOAD_EVENT at {}:{}: event {} bytes "
                                                 "into the decompressed payload is truncated",
                                                 file_name_, payload_position_, payload_offset_));
    payload_offset_ += h.event_size;
    ByteReader r(rest.data() + kHeaderLength, rest.data() + h.event_size);  // no checksum inside
    ev = Event{};
    ev.header = h;
    ev.position = payload_position_;
    ev.in_payload = true;
    return decode_body(h, rest.first(h.event_size), payload_position_, true, ev);
  }
  if (offset_ >= bytes_.size()) return false;
  uint64_t position = base_position_ + offset_;
  size_t left = bytes_.size() - offset_;
  EventHeader h;
  if (!parse_header(bytes_.subspan(offset_), h))
    return fail(position, fmt::format("truncated event at {}:{}: {} bytes left, an event header needs {}", file_name_,
                                      position, left, kHeaderLength));
  if (h.event_size < kHeaderLength || h.event_size > left)
    return fail(position, fmt::format("truncated event at {}:{}: {} says it has {} bytes, {} are left", file_name_,
                                      position, event_type_name(h.type), h.event_size, left));
  std::span<const uint8_t> event = bytes_.subspan(offset_, h.event_size);
  offset_ += h.event_size;
  return decode_event(event, position, ev);
}

bool BinlogDecoder::decode_event(std::span<const uint8_t> event, uint64_t position, Event& ev) {
  rows_table_ = nullptr;
  ev = Event{};
  EventHeader h;
  if (!parse_header(event, h) || h.event_size != event.size())
    return fail(position, fmt::format("malformed event at {}:{}: its header does not match its {} bytes", file_name_,
                                      position, event.size()));
  ev.header = h;
  ev.position = position;
  if (h.type == event_type::kFormatDescription) {
    std::string why;
    if (!parse_format_description(event, format_, why))
      return fail(position, fmt::format("cannot decode FORMAT_DESCRIPTION_EVENT at {}:{}: {}", file_name_, position, why));
    format_seen_ = true;
    ev.kind = EventKind::FormatDescription;
    return true;
  }
  size_t end = event.size();
  if (format_seen_ && format_.checksum == ChecksumAlg::Crc32) {
    if (end < kHeaderLength + kChecksumLength)
      return fail(position, fmt::format("truncated {} at {}:{}: no room for its checksum", event_type_name(h.type),
                                        file_name_, position));
    end -= kChecksumLength;
    if (options_.verify_checksums) {
      uint32_t stored = load_le32(event.data() + end);
      uint32_t computed = crc32(event.first(end));
      if (stored != computed)
        return fail(position, fmt::format("CRC32 checksum mismatch in {} at {}:{}: stored {:08x}, computed {:08x}",
                                          event_type_name(h.type), file_name_, position, stored, computed));
    }
  }
  return decode_body(h, event.first(end), position, false, ev);
}

bool BinlogDecoder::decode_body(const EventHeader& h, std::span<const uint8_t> event, uint64_t position,
                                bool in_payload, Event& ev) {
  using namespace event_type;
  size_t header_len = format_seen_ ? format_.header_length : kHeaderLength;
  if (event.size() < header_len)
    return fail(position, fmt::format("truncated {} at {}:{}", event_type_name(h.type), file_name_, position));
  ByteReader r(event.data() + header_len, event.data() + event.size());
  auto truncated = [&] {
    return fail(position, fmt::format("cannot decode {} at {}:{}: the event is truncated", event_type_name(h.type),
                                      file_name_, position));
  };
  auto post_header = [&](uint8_t fallback) {
    uint8_t n = format_seen_ ? format_.post_header(h.type) : 0;
    return n ? n : fallback;
  };
  switch (h.type) {
    case kQuery: {
      uint8_t ph = post_header(13);
      r.skip(8);  // thread id, exec time
      uint8_t db_len = r.u8();
      r.skip(2);  // error code
      uint16_t status_len = ph >= 13 ? r.u16() : 0;
      if (ph > 13) r.skip(ph - 13u);
      r.skip(status_len);
      ev.db = r.str(db_len);
      r.skip(1);
      if (r.failed()) return truncated();
      auto q = r.rest();
      ev.text = {reinterpret_cast<const char*>(q.data()), q.size()};
      ev.kind = EventKind::Query;
      return true;
    }
    case kRotate: {
      uint8_t ph = post_header(8);
      ev.rotate_position = ph >= 8 ? r.u64() : 4;
      if (ph > 8) r.skip(ph - 8u);
      if (r.failed()) return truncated();
      auto name = r.rest();
      ev.text = {reinterpret_cast<const char*>(name.data()), name.size()};
      ev.kind = EventKind::Rotate;
      return true;
    }
    case kXid:
      ev.xid = r.u64();
      if (r.failed()) return truncated();
      ev.kind = EventKind::Xid;
      return true;
    case kStop: ev.kind = EventKind::Stop; return true;
    case kTableMap: return decode_table_map(h, r, position, ev);
    case kWriteRowsV1: case kUpdateRowsV1: case kDeleteRowsV1:
    case kWriteRowsV2: case kUpdateRowsV2: case kDeleteRowsV2:
      return decode_rows(h, r, position, ev);
    case kPartialUpdateRows:
      return fail(position, fmt::format("cannot decode PARTIAL_UPDATE_ROWS_EVENT at {}:{}: "
                                        "binlog_row_value_options=PARTIAL_JSON is not supported; set it to ''",
                                        file_name_, position));
    case kPreGaWriteRows: case kPreGaUpdateRows: case kPreGaDeleteRows:
      return fail(position, fmt::format("cannot decode {} at {}:{}: rows events of MySQL 5.1 before GA are not "
                                        "supported",
                                        event_type_name(h.type), file_name_, position));
    case kMariaWriteRowsCompressedV1: case kMariaUpdateRowsCompressedV1: case kMariaDeleteRowsCompressedV1:
    case kMariaWriteRowsCompressed: case kMariaUpdateRowsCompressed: case kMariaDeleteRowsCompressed:
    case kMariaQueryCompressed:
      return fail(position, fmt::format("cannot decode {} at {}:{}: MariaDB's compressed binlog events are not "
                                        "supported; set log_bin_compress=OFF",
                                        event_type_name(h.type), file_name_, position));
    case kMariaStartEncryption:
      return fail(position, fmt::format("cannot decode {} at {}:{}: encrypted binlog files are not supported",
                                        event_type_name(h.type), file_name_, position));
    case kGtid: case kAnonymousGtid: {
      Gtid& g = ev.gtid;
      g.anonymous = h.type == kAnonymousGtid;
      g.flags = r.u8();
      auto sid = r.bytes(16);
      if (!sid.empty()) std::memcpy(g.sid.data(), sid.data(), 16);
      g.gno = r.u64();
      if (r.failed()) return truncated();
      if (r.remaining() >= 17 && r.u8() == 2) {  // logical clock
        g.last_committed = r.u64();
        g.sequence_number = r.u64();
      }
      if (r.remaining() >= 7) {  // MySQL 8.0.1+: commit timestamps, high bit: original follows
        uint64_t ts = r.uint_n(7);
        constexpr uint64_t kHigh = uint64_t{1} << 55;
        g.immediate_commit_us = ts & (kHigh - 1);
        g.original_commit_us = g.immediate_commit_us;
        if (ts & kHigh) g.original_commit_us = r.uint_n(7);
        if (r.remaining()) g.transaction_length = r.packed();
      }
      if (r.failed()) return truncated();
      ev.kind = EventKind::Gtid;
      return true;
    }
    case kMariaGtid: {
      Gtid& g = ev.gtid;
      g.mariadb = true;
      g.server_id = h.server_id;
      g.seq_no = r.u64();
      g.domain_id = r.u32();
      g.flags = r.u8();
      g.standalone = g.flags & 1;
      if (r.failed()) return truncated();
      ev.kind = EventKind::Gtid;
      return true;
    }
    case kPreviousGtids: {
      text_.clear();
      uint64_t n = r.u64();
      for (uint64_t i = 0; i < n && !r.failed(); i++) {
        std::array<uint8_t, 16> sid{};
        auto b = r.bytes(16);
        if (b.empty()) break;
        std::memcpy(sid.data(), b.data(), 16);
        if (i) text_ += ',';
        append_uuid(text_, sid);
        uint64_t intervals = r.u64();
        if (intervals > r.remaining() / 16) return truncated();
        for (uint64_t k = 0; k < intervals; k++) {
          uint64_t start = r.u64(), stop = r.u64();  // [start, stop)
          text_ += ':' + std::to_string(start);
          if (stop > start + 1) text_ += '-' + std::to_string(stop - 1);
        }
      }
      if (r.failed()) return truncated();
      ev.text = text_;
      ev.kind = EventKind::PreviousGtids;
      return true;
    }
    case kMariaGtidList: {
      text_.clear();
      uint32_t n = r.u32() & 0x0fffffff;
      if (n > r.remaining() / 16) return truncated();
      for (uint32_t i = 0; i < n; i++) {
        uint32_t domain = r.u32(), server = r.u32();
        uint64_t seq = r.u64();
        if (i) text_ += ',';
        text_ += fmt::format("{}-{}-{}", domain, server, seq);
      }
      if (r.failed()) return truncated();
      ev.text = text_;
      ev.kind = EventKind::GtidList;
      return true;
    }
    case kMariaAnnotateRows: {
      auto q = r.rest();
      ev.text = {reinterpret_cast<const char*>(q.data()), q.size()};
      ev.kind = EventKind::AnnotateRows;
      return true;
    }
    case kRowsQuery: {
      r.skip(1);  // a length byte that MySQL ignores (the text may be longer than 255)
      auto q = r.rest();
      ev.text = {reinterpret_cast<const char*>(q.data()), q.size()};
      ev.kind = EventKind::RowsQuery;
      return true;
    }
    case kMariaBinlogCheckpoint: {
      uint32_t n = r.u32();
      ev.text = r.str(n);
      if (r.failed()) return truncated();
      ev.kind = EventKind::BinlogCheckpoint;
      return true;
    }
    case kHeartbeat: case kHeartbeatV2: {
      if (h.type == kHeartbeat) {
        auto name = r.rest();
        ev.text = {reinterpret_cast<const char*>(name.data()), name.size()};
      }
      ev.kind = EventKind::Heartbeat;
      return true;
    }
    case kTransactionPayload:
      if (in_payload)
        return fail(position, fmt::format("cannot decode TRANSACTION_PAYLOAD_EVENT at {}:{}: a payload inside a "
                                          "payload",
                                          file_name_, position));
      payload_header_ = h;
      if (!decode_payload(r, position)) return false;
      ev.kind = EventKind::TransactionPayload;
      return true;
    default:
      ev.kind = EventKind::Skipped;  // not a row event: nothing to decode
      return true;
  }
}

bool BinlogDecoder::decode_payload(ByteReader& r, uint64_t position) {
  // Header fields (type, length, value), each a packed integer, up to an end mark of type 0;
  // then the compressed events (no checksums inside).
  uint64_t compression = 0, uncompressed_size = 0, payload_size = 0;
  bool has_size = false;
  for (;;) {
    uint64_t type = r.packed();
    if (r.failed()) break;
    if (type == 0) break;
    uint64_t len = r.packed();
    ByteReader v(r.bytes(len));
    uint64_t value = v.packed();
    if (type == 1) payload_size = value;
    else if (type == 2) compression = value;
    else if (type == 3) {
      uncompressed_size = value;
      has_size = true;
    }
  }
  auto bad = [&](std::string_view why) {
    return fail(position, fmt::format("cannot decode TRANSACTION_PAYLOAD_EVENT at {}:{}: {}", file_name_, position, why));
  };
  if (r.failed()) return bad("its header is truncated");
  auto data = r.rest();
  if (payload_size && payload_size != data.size()) return bad("its payload size does not match the event");
  payload_.clear();
  payload_offset_ = 0;
  payload_position_ = position;
  if (compression == 255) {  // NONE
    payload_.assign(data.begin(), data.end());
  } else if (compression == 0) {  // ZSTD
    constexpr uint64_t kMaxPayload = uint64_t{1} << 32;  // a transaction over 4 GiB is refused
    if (has_size && uncompressed_size > kMaxPayload) return bad("its uncompressed size is over 4 GiB");
    ZSTD_DStream* ds = ZSTD_createDStream();
    if (!ds) return bad("out of memory");
    ZSTD_initDStream(ds);
    payload_.resize(has_size ? uncompressed_size : data.size() * 4 + 1024);
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    ZSTD_outBuffer out{payload_.data(), payload_.size(), 0};
    size_t ret = 1;
    while (ret != 0) {
      if (out.pos == out.size) {
        if (payload_.size() >= kMaxPayload) break;
        payload_.resize(payload_.size() * 2);
        out.dst = payload_.data();
        out.size = payload_.size();
      }
      ret = ZSTD_decompressStream(ds, &out, &in);
      if (ZSTD_isError(ret)) {
        std::string why = std::string("zstd: ") + ZSTD_getErrorName(ret);
        ZSTD_freeDStream(ds);
        payload_.clear();
        return bad(why);
      }
      if (ret != 0 && in.pos == in.size && out.pos < out.size) break;  // input ended mid-frame
    }
    ZSTD_freeDStream(ds);
    if (ret != 0) {
      payload_.clear();
      return bad("the compressed payload is truncated");
    }
    payload_.resize(out.pos);
    if (has_size && out.pos != uncompressed_size) {
      payload_.clear();
      return bad("its uncompressed size does not match the header");
    }
  } else {
    return bad(fmt::format("compression type {} is not supported (only ZSTD and NONE)", compression));
  }
  return true;
}

bool BinlogDecoder::decode_table_map(const EventHeader& h, ByteReader& r, uint64_t position, Event& ev) {
  uint8_t ph = format_seen_ && format_.post_header(h.type) ? format_.post_header(h.type) : 8;
  uint64_t table_id = ph == 6 ? r.u32() : r.u48();
  if (ph > 6) r.skip(ph == 6 ? 2u : ph - 6u);
  if (r.failed())
    return fail(position, fmt::format("cannot decode TABLE_MAP_EVENT at {}:{}: the event is truncated", file_name_,
                                      position));
  std::string_view body(reinterpret_cast<const char*>(r.data()), r.remaining());
  auto& slot = tables_[table_id];
  // OceanBase writes a TABLE_MAP before every row: an identical one is not parsed again.
  if (slot && slot->raw == body) {
    ev.kind = EventKind::TableMap;
    ev.table = slot.get();
    last_table_ = slot.get();
    return true;
  }
  auto t = std::make_unique<TableMap>();
  t->table_id = table_id;
  t->raw.assign(body);
  auto truncated = [&] {
    return fail(position, fmt::format("cannot decode TABLE_MAP_EVENT at {}:{}: the event is truncated", file_name_,
                                      position));
  };
  uint8_t db_len = r.u8();
  t->db.assign(r.str(db_len));
  r.skip(1);
  uint8_t table_len = r.u8();
  t->table.assign(r.str(table_len));
  r.skip(1);
  uint64_t n = r.packed();
  if (r.failed() || n > r.remaining()) return truncated();
  auto types = r.bytes(n);
  uint64_t meta_len = r.packed();
  auto meta = r.bytes(meta_len);
  auto nulls = r.bytes((n + 7) / 8);
  if (r.failed()) return truncated();
  auto optional = r.rest();
  t->columns.resize(n);
  ByteReader m(meta);
  for (size_t i = 0; i < n; i++) {
    ColumnInfo& c = t->columns[i];
    c.type = types[i];
    if (!read_column_metadata(m, c))
      return fail(position, fmt::format("cannot decode TABLE_MAP_EVENT at {}:{}: column {} of `{}`.`{}` has type {} "
                                        "with metadata obsync cannot read",
                                        file_name_, position, i + 1, t->db, t->table, column_type_name(types[i])));
    c.nullable = nulls[i / 8] >> (i % 8) & 1;
  }
  if (!bind_columns(*t, optional, position)) return false;
  slot = std::move(t);
  ev.kind = EventKind::TableMap;
  ev.table = slot.get();
  last_table_ = slot.get();
  return true;
}

bool BinlogDecoder::bind_columns(TableMap& t, std::span<const uint8_t> optional, uint64_t position) {
  OptionalMetadata m;
  if (!optional.empty() && !parse_optional_metadata(optional, m))
    return fail(position, fmt::format("cannot decode TABLE_MAP_EVENT at {}:{}: malformed optional metadata for "
                                      "`{}`.`{}`",
                                      file_name_, position, t.db, t.table));
  size_t n = t.columns.size();
  std::vector<std::vector<std::string>> labels(n);
  size_t numeric = 0, character = 0, enum_set = 0, enums = 0, sets = 0;
  for (size_t i = 0; i < n; i++) {
    ColumnInfo& c = t.columns[i];
    if (is_numeric_type(c.type)) {
      if (m.has_signedness && numeric / 8 < m.signedness.size())
        c.is_unsigned = m.signedness[numeric / 8] >> (7 - numeric % 8) & 1;
      numeric++;
    } else if (is_character_type(c.type, format_.is_mariadb)) {
      if (character < m.column_charsets.size()) c.collation_id = m.column_charsets[character];
      else if (m.default_charset) {
        c.collation_id = m.default_charset;
        for (auto& [col, id] : m.charset_exceptions)
          if (col == character) c.collation_id = id;
      }
      character++;
    } else if (c.type == kEnum || c.type == kSet) {
      if (enum_set < m.enum_set_column_charsets.size()) c.collation_id = m.enum_set_column_charsets[enum_set];
      else if (m.enum_set_default_charset) {
        c.collation_id = m.enum_set_default_charset;
        for (auto& [col, id] : m.enum_set_charset_exceptions)
          if (col == enum_set) c.collation_id = id;
      }
      enum_set++;
      if (c.type == kEnum && enums < m.enum_labels.size()) labels[i] = m.enum_labels[enums];
      if (c.type == kSet && sets < m.set_labels.size()) labels[i] = m.set_labels[sets];
      (c.type == kEnum ? enums : sets)++;
    }
    if (i < m.names.size()) c.name = m.names[i];
  }
  for (uint32_t k : m.primary_key)
    if (k < n) t.primary_key.push_back(k);

  t.schema = options_.lookup_table ? options_.lookup_table(t.db, t.table) : nullptr;
  if (const TableSchema* s = t.schema) {
    if (s->columns.size() != n)
      return fail(position, fmt::format("table `{}`.`{}` at {}:{} has {} columns in the binlog ({}) but {} in the "
                                        "schema ({})",
                                        t.db, t.table, file_name_, position, n, column_list(t), s->columns.size(),
                                        schema_column_list(*s)));
    const std::string binlog_columns = column_list(t);  // before schema names are filled in
    for (size_t i = 0; i < n; i++) {
      ColumnInfo& c = t.columns[i];
      const ColumnSchema& sc = s->columns[i];
      bool names_differ = !c.name.empty() && !iequals(c.name, sc.name);
      if (!compatible(c.type, sc.type.column) || names_differ)
        return fail(position, fmt::format("table `{}`.`{}` at {}:{}: column {} is {} in the binlog but `{}` {} in the "
                                          "schema; binlog columns: ({}); schema columns: ({})",
                                          t.db, t.table, file_name_, position, i + 1,
                                          (c.name.empty() ? "" : "`" + c.name + "` ") + column_type_name(c.type),
                                          sc.name, sc.type_text, binlog_columns, schema_column_list(*s)));
      c.name = sc.name;
      if (is_numeric_type(c.type)) c.is_unsigned = sc.type.is_unsigned;
      if (c.collation_id == 0 && sc.type.collation) c.collation_id = sc.type.collation->id;
      if ((c.type == kEnum || c.type == kSet) && labels[i].empty()) labels[i] = sc.type.elements;
      if (sc.type.column == ColumnType::Binary) c.binary_pad = sc.type.length;
    }
    if (t.primary_key.empty())
      for (const auto& name : s->primary_key)
        for (size_t i = 0; i < n; i++)
          if (iequals(s->columns[i].name, name)) t.primary_key.push_back(static_cast<uint32_t>(i));
  }
  t.has_names = n > 0;
  for (size_t i = 0; i < n; i++) {
    if (t.columns[i].name.empty()) t.has_names = false;
    finish_column(t.columns[i], std::move(labels[i]));
  }
  return true;
}

bool BinlogDecoder::decode_rows(const EventHeader& h, ByteReader& r, uint64_t position, Event& ev) {
  using namespace event_type;
  bool v2 = h.type >= kWriteRowsV2 && h.type <= kDeleteRowsV2;
  uint8_t ph = format_seen_ && format_.post_header(h.type) ? format_.post_header(h.type) : (v2 ? 10 : 8);
  uint64_t table_id = ph == 6 ? r.u32() : r.u48();
  uint16_t flags = r.u16();
  size_t used = ph == 6 ? 6 : 8;
  if (ph > used) r.skip(ph - used);
  if (v2) {
    // The post-header's last two bytes (already skipped) count the extra data incl. themselves.
    uint16_t extra = load_le16(r.data() - 2);
    if (extra < 2) return fail(position, fmt::format("cannot decode {} at {}:{}: malformed extra row data",
                                                     event_type_name(h.type), file_name_, position));
    r.skip(extra - 2u);
  }
  auto truncated = [&] {
    return fail(position, fmt::format("cannot decode {} at {}:{}: the event is truncated", event_type_name(h.type),
                                      file_name_, position));
  };
  if (r.failed()) return truncated();
  RowOp op = (h.type == kWriteRowsV1 || h.type == kWriteRowsV2)    ? RowOp::Insert
             : (h.type == kUpdateRowsV1 || h.type == kUpdateRowsV2) ? RowOp::Update
                                                                    : RowOp::Delete;
  const TableMap* t = last_table_ && last_table_->table_id == table_id ? last_table_ : find_table(table_id);
  uint64_t ncols = r.packed();
  if (!t) {
    // A statement's closing "dummy" event may name table id ~0 and carry no rows.
    if (r.remaining() <= (ncols + 7) / 8 * (op == RowOp::Update ? 2 : 1)) {
      ev.kind = EventKind::Skipped;
      return true;
    }
    return fail(position, fmt::format("cannot decode {} at {}:{}: table id {} has no TABLE_MAP_EVENT before it",
                                      event_type_name(h.type), file_name_, position, table_id));
  }
  if (ncols > t->columns.size())
    return fail(position, fmt::format("cannot decode {} at {}:{}: {} columns for `{}`.`{}`, whose TABLE_MAP has {}",
                                      event_type_name(h.type), file_name_, position, ncols, t->db, t->table,
                                      t->columns.size()));
  size_t bitmap = (ncols + 7) / 8;
  rows_present_before_ = rows_present_after_ = r.data();
  r.skip(bitmap);
  if (op == RowOp::Update) {
    rows_present_after_ = r.data();
    r.skip(bitmap);
  }
  if (r.failed()) return truncated();
  rows_table_ = t;
  rows_op_ = op;
  rows_columns_ = static_cast<uint32_t>(ncols);
  rows_ = ByteReader(r.data(), r.end());
  rows_position_ = position;
  rows_type_ = h.type;
  ev.kind = EventKind::Rows;
  ev.table = t;
  ev.op = op;
  ev.rows_flags = flags;
  return true;
}

bool BinlogDecoder::read_image(RowImage& image, const uint8_t* present_bits) {
  const TableMap& t = *rows_table_;
  size_t n = t.columns.size();
  if (image.values.size() != n) {
    image.values.resize(n);
    image.present.resize(n);
  }
  size_t count = 0;
  for (size_t i = 0; i < rows_columns_; i++) count += present_bits[i / 8] >> (i % 8) & 1;
  const uint8_t* nulls = rows_.data();
  if (!rows_.has((count + 7) / 8))
    return fail(rows_position_, fmt::format("cannot decode {} at {}:{}: a row of `{}`.`{}` is truncated",
                                            event_type_name(rows_type_), file_name_, rows_position_, t.db, t.table));
  rows_.skip((count + 7) / 8);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    Value& v = image.values[i];
    if (i >= rows_columns_ || !(present_bits[i / 8] >> (i % 8) & 1)) {
      v.cls = TypeClass::Null;
      image.present[i] = 0;
      continue;
    }
    image.present[i] = 1;
    bool is_null = nulls[k / 8] >> (k % 8) & 1;
    k++;
    if (is_null) {
      v.cls = TypeClass::Null;
      continue;
    }
    if (const char* why = decode_value(t.columns[i], rows_, v)) {
      const ColumnInfo& c = t.columns[i];
      return fail(rows_position_,
                  fmt::format("cannot decode {} at {}:{}: column {}{} of `{}`.`{}` ({} meta={}): {}",
                              event_type_name(rows_type_), file_name_, rows_position_, i + 1,
                              c.name.empty() ? "" : " (`" + c.name + "`)", t.db, t.table, column_type_name(c.type),
                              c.meta, why));
    }
  }
  return true;
}

bool BinlogDecoder::next_row(RowChange& row) {
  if (failed() || !rows_table_ || rows_.remaining() == 0) return false;
  row.op = rows_op_;
  row.table = rows_table_;
  row.has_before = rows_op_ != RowOp::Insert;
  row.has_after = rows_op_ != RowOp::Delete;
  if (row.has_before && !read_image(row.before, rows_present_before_)) return false;
  if (row.has_after && !read_image(row.after, rows_present_after_)) return false;
  return true;
}

// --- files -----------------------------------------------------------------------------------

std::unique_ptr<BinlogFile> BinlogFile::open(const std::string& path, std::string& why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    why = fmt::format("cannot open {}: {}", path, std::strerror(errno));
    return nullptr;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    why = fmt::format("cannot read {}: {}", path, std::strerror(errno));
    ::close(fd);
    return nullptr;
  }
  std::unique_ptr<BinlogFile> f(new BinlogFile());
  f->size_ = static_cast<size_t>(st.st_size);
  if (f->size_ > 0) {
    void* p = mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      why = fmt::format("cannot read {}: {}", path, std::strerror(errno));
      ::close(fd);
      return nullptr;
    }
    madvise(p, f->size_, MADV_SEQUENTIAL);
    f->data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
  return f;
}

BinlogFile::~BinlogFile() {
  if (data_) munmap(const_cast<uint8_t*>(data_), size_);
}

std::string binlog_base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace obsync::binlog

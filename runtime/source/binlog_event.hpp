// Binlog event framing: the v4 header, FORMAT_DESCRIPTION, checksums, and a bounds-checked reader.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace obsync::binlog {

// Event type codes (MySQL's Log_event_type, MariaDB's additions from 160).
namespace event_type {
inline constexpr uint8_t kUnknown = 0, kStartV3 = 1, kQuery = 2, kStop = 3, kRotate = 4,
                         kIntvar = 5, kRand = 13, kUserVar = 14, kFormatDescription = 15,
                         kXid = 16, kTableMap = 19, kPreGaWriteRows = 20, kPreGaUpdateRows = 21,
                         kPreGaDeleteRows = 22, kWriteRowsV1 = 23, kUpdateRowsV1 = 24,
                         kDeleteRowsV1 = 25, kIncident = 26, kHeartbeat = 27, kIgnorable = 28,
                         kRowsQuery = 29, kWriteRowsV2 = 30, kUpdateRowsV2 = 31,
                         kDeleteRowsV2 = 32, kGtid = 33, kAnonymousGtid = 34, kPreviousGtids = 35,
                         kTransactionContext = 36, kViewChange = 37, kXaPrepare = 38,
                         kPartialUpdateRows = 39, kTransactionPayload = 40, kHeartbeatV2 = 41,
                         kGtidTagged = 42, kMariaAnnotateRows = 160, kMariaBinlogCheckpoint = 161,
                         kMariaGtid = 162, kMariaGtidList = 163, kMariaStartEncryption = 164,
                         kMariaQueryCompressed = 165, kMariaWriteRowsCompressedV1 = 166,
                         kMariaUpdateRowsCompressedV1 = 167, kMariaDeleteRowsCompressedV1 = 168,
                         kMariaWriteRowsCompressed = 169, kMariaUpdateRowsCompressed = 170,
                         kMariaDeleteRowsCompressed = 171;
}  // namespace event_type

// "WRITE_ROWS_EVENT", "GTID_LOG_EVENT", … as MySQL names them; "UNKNOWN_EVENT(N)" otherwise.
std::string event_type_name(uint8_t type);

inline constexpr size_t kHeaderLength = 19;  // v4 common header
inline constexpr size_t kChecksumLength = 4;
inline constexpr std::array<uint8_t, 4> kBinlogMagic = {0xfe, 'b', 'i', 'n'};

struct EventHeader {
  uint32_t timestamp = 0;      // seconds since the epoch, when the statement started
  uint8_t type = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;     // header + body + checksum
  uint32_t next_position = 0;  // log_pos: where the next event starts (0 inside payloads)
  uint16_t flags = 0;
};

enum class ChecksumAlg : uint8_t { Off = 0, Crc32 = 1, Undefined = 255 };

// What FORMAT_DESCRIPTION says about the events after it.
struct FormatDescription {
  uint16_t binlog_version = 4;
  std::string server_version;  // "5.7.38", "10.11.6-MariaDB-log"
  uint32_t create_timestamp = 0;
  uint8_t header_length = kHeaderLength;
  std::array<uint8_t, 256> post_header_length{};  // by event type; 0 when not announced
  ChecksumAlg checksum = ChecksumAlg::Off;
  bool is_mariadb = false;

  uint8_t post_header(uint8_t type) const { return post_header_length[type]; }
};

// A failure with what failed and where. Decoding errors are final for that position: retrying
// the same bytes cannot help (a network read that ended early is the caller's to retry).
struct BinlogError {
  std::string file;
  uint64_t position = 0;
  std::string message;  // complete sentence, naming file and position

  bool empty() const { return message.empty(); }
};

// Little-endian readers over raw bytes; callers check lengths first.
inline uint16_t load_le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t load_le24(const uint8_t* p) { return p[0] | (p[1] << 8) | (uint32_t{p[2]} << 16); }
inline uint32_t load_le32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;  // obsync targets little-endian hosts (x86-64, aarch64)
}
inline uint64_t load_le48(const uint8_t* p) { return load_le32(p) | (uint64_t{load_le16(p + 4)} << 32); }
inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t load_be(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v = (v << 8) | p[i];
  return v;
}

// A cursor over one event's bytes. Every read checks the remaining length and sets `failed`
// instead of reading past the end, so a truncated event becomes an error, never a crash.
class ByteReader {
 public:
  ByteReader() = default;
  ByteReader(const uint8_t* begin, const uint8_t* end) : p_(begin), end_(end) {}
  explicit ByteReader(std::span<const uint8_t> s) : p_(s.data()), end_(s.data() + s.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool failed() const { return failed_; }
  const uint8_t* data() const { return p_; }
  const uint8_t* end() const { return end_; }
  bool has(size_t n) {
    if (remaining() >= n) return true;
    failed_ = true;
    return false;
  }
  uint8_t u8() { return has(1) ? *p_++ : 0; }
  uint16_t u16() { return has(2) ? advance(2, load_le16(p_)) : 0; }
  uint32_t u24() { return has(3) ? advance(3, load_le24(p_)) : 0; }
  uint32_t u32() { return has(4) ? advance(4, load_le32(p_)) : 0; }
  uint64_t u48() { return has(6) ? advance(6, load_le48(p_)) : 0; }
  uint64_t u64() { return has(8) ? advance(8, load_le64(p_)) : 0; }
  uint64_t uint_n(size_t n) {  // little-endian, n <= 8
    if (!has(n)) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v |= uint64_t{p_[i]} << (8 * i);
    p_ += n;
    return v;
  }
  // MySQL's packed length (net_field_length): 1, 3, 4 or 9 bytes; 251 (NULL) reads as 0.
  uint64_t packed() {
    uint8_t b = u8();
    if (b < 251) return b;
    if (b == 251) return 0;
    if (b == 252) return u16();
    if (b == 253) return u24();
    return u64();
  }
  std::span<const uint8_t> bytes(size_t n) {
    if (!has(n)) return {};
    std::span<const uint8_t> s(p_, n);
    p_ += n;
    return s;
  }
  std::string_view str(size_t n) {
    auto s = bytes(n);
    return {reinterpret_cast<const char*>(s.data()), s.size()};
  }
  void skip(size_t n) {
    if (has(n)) p_ += n;
  }
  std::span<const uint8_t> rest() {
    std::span<const uint8_t> s(p_, remaining());
    p_ = end_;
    return s;
  }

 private:
  template <class T>
  T advance(size_t n, T v) {
    p_ += n;
    return v;
  }
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  bool failed_ = false;
};

// Reads the 19-byte header; false when fewer bytes are given.
bool parse_header(std::span<const uint8_t> bytes, EventHeader& header);

// Parses a FORMAT_DESCRIPTION event (whole event, header included). The checksum algorithm byte
// exists from MySQL 5.6.1 / MariaDB 5.3 on; the event's own CRC is checked when it says CRC32.
// On failure returns false with `why`.
bool parse_format_description(std::span<const uint8_t> event, FormatDescription& fd, std::string& why);

// zlib's CRC-32 of the bytes (MySQL's binlog checksum).
uint32_t crc32(std::span<const uint8_t> bytes);
// True when the last 4 bytes of `event` are the CRC-32 of the bytes before them.
bool checksum_matches(std::span<const uint8_t> event);

// The FORMAT_DESCRIPTION a server writes for binlog v4 with the given checksum, as a complete
// event: for tests and benchmarks that build binlogs in memory.
std::string make_format_description(std::string_view server_version, ChecksumAlg checksum);
// Frames `body` as an event of `type` (header, and a CRC-32 when `checksum`), with log_pos
// `next_position`.
std::string make_event(uint8_t type, uint32_t timestamp, std::string_view body, uint32_t next_position,
                       bool checksum, uint32_t server_id = 1, uint16_t flags = 0);

}  // namespace obsync::binlog

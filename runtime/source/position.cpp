// Binlog positions: their text form, their order, and the start positions users write.
#include "runtime/source/position.hpp"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "stdlib/temporal.hpp"

namespace obsync::source {

std::string BinlogPosition::to_string() const {
  std::string out = fmt::format("{}:{}", file, offset);
  if (!gtid_set.empty()) out += fmt::format(" gtid={}", gtid_set);
  return out;
}

namespace {

// The sequence number of a binlog file name: the digits after its last '.'; 0 when none.
uint64_t file_sequence(std::string_view file) {
  size_t dot = file.rfind('.');
  if (dot == std::string_view::npos) return 0;
  uint64_t n = 0;
  std::from_chars(file.data() + dot + 1, file.data() + file.size(), n);
  return n;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool parse_u64(std::string_view s, uint64_t& out) {
  if (!all_digits(s)) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// "3e11fa47-71ca-11e1-9e33-c80aa9429562"
bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits on ',' (MySQL also writes ",\n" between sources).
template <typename F>
bool each_item(std::string_view s, F&& f) {
  while (true) {
    size_t comma = s.find(',');
    if (!f(trim(s.substr(0, comma)))) return false;
    if (comma == std::string_view::npos) return true;
    s.remove_prefix(comma + 1);
  }
}

// "uuid:1-42:50" (intervals of one source).
bool is_mysql_gtid_item(std::string_view item) {
  size_t colon = item.find(':');
  if (colon == std::string_view::npos || !is_uuid(item.substr(0, colon))) return false;
  std::string_view rest = item.substr(colon + 1);
  while (true) {
    size_t next = rest.find(':');
    std::string_view interval = rest.substr(0, next);
    size_t dash = interval.find('-');
    uint64_t a = 0, b = 0;
    if (!parse_u64(interval.substr(0, dash), a) || a == 0) return false;
    if (dash != std::string_view::npos && (!parse_u64(interval.substr(dash + 1), b) || b < a)) return false;
    if (next == std::string_view::npos) return true;
    rest.remove_prefix(next + 1);
  }
}

// "0-1-42": domain-server-sequence.
bool is_mariadb_gtid_item(std::string_view item) {
  size_t d1 = item.find('-');
  if (d1 == std::string_view::npos) return false;
  size_t d2 = item.find('-', d1 + 1);
  if (d2 == std::string_view::npos) return false;
  uint64_t v = 0;
  return parse_u64(item.substr(0, d1), v) && v <= 0xFFFFFFFFu && parse_u64(item.substr(d1 + 1, d2 - d1 - 1), v) &&
         v <= 0xFFFFFFFFu && parse_u64(item.substr(d2 + 1), v);
}

}  // namespace

int compare_positions(const BinlogPosition& a, const BinlogPosition& b) {
  uint64_t fa = file_sequence(a.file), fb = file_sequence(b.file);
  if (fa != fb) return fa < fb ? -1 : 1;
  if (fa == 0 && a.file != b.file) return a.file < b.file ? -1 : 1;
  if (a.offset != b.offset) return a.offset < b.offset ? -1 : 1;
  return 0;
}

std::optional<StartPosition> parse_start_position(std::string_view text, std::string& error) {
  std::string_view s = trim(text);
  StartPosition out;
  if (s.size() == 3 && (s[0] == 'N' || s[0] == 'n') && (s[1] == 'O' || s[1] == 'o') && (s[2] == 'W' || s[2] == 'w')) {
    out.kind = StartPosition::Kind::Now;
    return out;
  }
  // A timestamp: "YYYY-MM-DD HH:MM:SS[.ffffff]" or "YYYY-MM-DD", in UTC.
  if (s.size() >= 10 && all_digits(s.substr(0, 4)) && s[4] == '-') {
    auto t = parse_datetime(s, 6);
    if (!t || t->year == 0 || !valid_date(t->year, t->month, t->day)) {
      error = fmt::format("'{}' is not a valid timestamp; write it as 'YYYY-MM-DD HH:MM:SS' (UTC)", s);
      return std::nullopt;
    }
    out.kind = StartPosition::Kind::Timestamp;
    int64_t days = to_days(t->year, t->month, t->day) - to_days(1970, 1, 1);
    out.timestamp = static_cast<std::time_t>(days * 86400 + t->hour * 3600 + t->minute * 60 + t->second);
    return out;
  }
  // file:position — the file name has no ':' and the position is a number.
  size_t colon = s.rfind(':');
  if (colon != std::string_view::npos && s.find(':') == colon && !is_uuid(s.substr(0, colon)) &&
      all_digits(s.substr(colon + 1))) {
    uint64_t offset = 0;
    if (!parse_u64(s.substr(colon + 1), offset) || offset < 4 || colon == 0) {
      error = fmt::format("'{}' is not a valid binlog position; the offset must be at least 4", s);
      return std::nullopt;
    }
    out.kind = StartPosition::Kind::FilePosition;
    out.position.file = std::string(s.substr(0, colon));
    out.position.offset = offset;
    return out;
  }
  if (!s.empty() && each_item(s, is_mysql_gtid_item)) {
    out.kind = StartPosition::Kind::MySqlGtid;
    out.position.gtid_set = std::string(s);
    return out;
  }
  if (!s.empty() && each_item(s, is_mariadb_gtid_item)) {
    out.kind = StartPosition::Kind::MariaDbGtid;
    out.position.gtid_set = std::string(s);
    out.position.mariadb_gtid = true;
    return out;
  }
  error = fmt::format(
      "'{}' is not a start position; write NOW, a UTC timestamp ('2026-01-31 10:00:00'), a binlog file and "
      "offset ('mysql-bin.000003:1234'), a MySQL GTID set ('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-42') or a "
      "MariaDB GTID state ('0-1-42')",
      s);
  return std::nullopt;
}

}  // namespace obsync::source

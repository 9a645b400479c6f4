// The full sync: keyset-paginated (or streamed) SELECTs turned into row batches whose values equal
// the binlog decoder's, and the SYNC's WHERE rendered as a MySQL predicate for those SELECTs.
#include "runtime/source/full_sync.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "compiler/ast/ast.hpp"
#include "stdlib/ascii.hpp"
#include "stdlib/collation.hpp"

namespace obsync::source {

// --- values from SELECT's text -----------------------------------------------------------------

namespace {

// The text for an error message: short, and without bytes that would garble a terminal.
std::string shown(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < 64; i++) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02X}", c);
    else out += static_cast<char>(c);
  }
  if (out.size() >= 64) out += "…";
  return out;
}

bool digits(std::string_view s, size_t pos, size_t n, uint32_t& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<uint32_t>(s[i] - '0');
  }
  return true;
}

// ".ffffff" at s[pos..] to microseconds; the server prints exactly the column's fsp digits.
bool fraction(std::string_view s, size_t pos, uint32_t& micro) {
  micro = 0;
  if (pos == s.size()) return true;
  if (s[pos] != '.' || s.size() - pos - 1 < 1 || s.size() - pos - 1 > 6) return false;
  size_t n = s.size() - pos - 1;
  if (!digits(s, pos + 1, n, micro)) return false;
  for (size_t i = n; i < 6; i++) micro *= 10;
  return true;
}

// 'YYYY-MM-DD' as the server prints DATE (zero parts allowed, as columns allow them).
bool date_part(std::string_view s, Temporal& t) {
  uint32_t y, m, d;
  if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
      !digits(s, 8, 2, d) || m > 12 || d > 31)
    return false;
  t.year = static_cast<int32_t>(y);
  t.month = static_cast<uint8_t>(m);
  t.day = static_cast<uint8_t>(d);
  return true;
}

// 'HH:MM:SS' at s[pos..]; `long_hours`: TIME's two or three hour digits, up to 838.
bool clock_part(std::string_view s, size_t pos, bool long_hours, Temporal& t, size_t& end) {
  size_t colon = s.find(':', pos);
  if (colon == std::string_view::npos) return false;
  size_t hour_digits = colon - pos;
  if (hour_digits < 2 || hour_digits > (long_hours ? 3u : 2u)) return false;
  uint32_t h, m, sec;
  if (!digits(s, pos, hour_digits, h) || !digits(s, colon + 1, 2, m) || colon + 3 >= s.size() ||
      s[colon + 3] != ':' || !digits(s, colon + 4, 2, sec) || m > 59 || sec > 59 || h > (long_hours ? 838u : 23u))
    return false;
  t.hour = h;
  t.minute = static_cast<uint8_t>(m);
  t.second = static_cast<uint8_t>(sec);
  end = colon + 6;
  return true;
}

template <typename T>
bool whole_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

}  // namespace

bool parse_text_value(const SqlType& type, std::string_view text, Value& out, std::string& why) {
  auto fail = [&](std::string_view expected) {
    why = fmt::format("'{}' is not a {} value ({})", shown(text), to_string(type), expected);
    return false;
  };
  switch (type.cls) {
    case TypeClass::Int:
      out.cls = TypeClass::Int;
      if (type.is_unsigned) {
        out.is_unsigned = true;
        if (!whole_number(text, out.u)) return fail("an integer from 0 to 18446744073709551615");
      } else {
        out.is_unsigned = false;
        if (!whole_number(text, out.i))
          return fail("an integer from -9223372036854775808 to 9223372036854775807");
      }
      return true;
    case TypeClass::Decimal: {
      auto parsed = Decimal::parse(text);
      if (text.empty() || parsed.consumed != text.size() || parsed.overflow || text.front() == ' ')
        return fail("a decimal number");
      out.cls = TypeClass::Decimal;
      out.dec = parsed.value;
      return true;
    }
    case TypeClass::Double: {
      out.cls = TypeClass::Double;
      // A FLOAT prints as the shortest text that reads back as the same float: reading it as a
      // double would give a different number than the binlog's float widened to double.
      if (type.column == ColumnType::Float) {
        float f;
        if (!whole_number(text, f) || !std::isfinite(f)) return fail("a finite FLOAT");
        out.d = f;
      } else {
        if (!whole_number(text, out.d) || !std::isfinite(out.d)) return fail("a finite DOUBLE");
      }
      return true;
    }
    case TypeClass::Date: {
      Temporal t;
      if (text.size() != 10 || !date_part(text, t)) return fail("YYYY-MM-DD");
      out.cls = TypeClass::Date;
      out.tm = t;
      return true;
    }
    case TypeClass::DateTime: {
      Temporal t;
      size_t end = 0;
      if (text.size() < 19 || !date_part(text, t) || text[10] != ' ' || !clock_part(text, 11, false, t, end) ||
          !fraction(text, end, t.micro))
        return fail("YYYY-MM-DD HH:MM:SS[.ffffff]");
      out.cls = TypeClass::DateTime;
      out.tm = t;
      return true;
    }
    case TypeClass::Time: {
      Temporal t;
      size_t pos = 0, end = 0;
      if (!text.empty() && text[0] == '-') {
        t.negative = true;
        pos = 1;
      }
      if (!clock_part(text, pos, true, t, end) || !fraction(text, end, t.micro))
        return fail("[-]HHH:MM:SS[.ffffff] within ±838:59:59");
      out.cls = TypeClass::Time;
      out.tm = t;
      return true;
    }
    case TypeClass::String:
      out.cls = TypeClass::String;
      out.str.assign(text);
      return true;
    case TypeClass::Json:
      out.cls = TypeClass::Json;
      out.str.assign(text);
      return true;
    case TypeClass::Null:
      break;
  }
  why = fmt::format("'{}': the column has no value type", shown(text));
  return false;
}

// --- copying a table -----------------------------------------------------------------------------

namespace {

// How a column is read so that its Value is the binlog's.
enum class ReadAs : uint8_t {
  Text,       // SELECT `c`: the server's text is the value
  Bytes,      // SELECT CAST(`c` AS BINARY): the stored bytes (other charsets, GEOMETRY)
  EnumIndex,  // SELECT `c`+0: ENUM / SET without labels in the schema are numbers, as in the binlog
};

// How a key value becomes a literal of the keyset condition.
enum class KeyForm : uint8_t {
  Number,       // integers, DECIMAL, YEAR, ENUM/SET index: the text itself
  Real,         // FLOAT / DOUBLE: %.17e of the value, which reads back exactly
  Quoted,       // utf8 text and temporals: a string literal in the connection's charset
  HexBytes,     // binary strings: X'…'
  CharsetHex,   // text in another charset: _charset X'…' (the column's collation then applies)
  BitNumber,    // BIT: its bytes as an unsigned number
};

struct KeyColumn {
  size_t column = 0;  // in the table
  size_t field = 0;   // in the SELECT's row
  KeyForm form = KeyForm::Number;
  bool hex_text = false;  // last_key holds hex digits of the bytes
  std::string charset;    // CharsetHex
};

bool is_utf8_family(const Collation* c) {
  if (c == nullptr) return true;  // the schema names none: the default utf8mb4_general_ci
  return c->charset.substr(0, 4) == "utf8" || c->charset == "ascii";
}

ReadAs read_as(const SqlType& t) {
  if (t.column == ColumnType::Geometry) return ReadAs::Bytes;
  if ((t.column == ColumnType::Enum || t.column == ColumnType::Set) && t.cls == TypeClass::Int)
    return ReadAs::EnumIndex;
  if (t.cls == TypeClass::String && t.column != ColumnType::Bit && !t.is_binary_string() &&
      !is_utf8_family(t.collation))
    return ReadAs::Bytes;
  return ReadAs::Text;
}

bool valid_identifier_word(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

constexpr char kHexDigits[] = "0123456789ABCDEF";

void append_hex(std::string& out, std::string_view bytes) {
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 15];
  }
}

bool valid_hex(std::string_view s) {
  if (s.size() % 2) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// -?digits[.digits]: what the server prints for integers and DECIMAL, and nothing that could
// change the statement (checkpoint texts end up here).
bool plain_number(std::string_view s) {
  size_t i = s.size() && s[0] == '-' ? 1 : 0;
  size_t int_digits = 0, dots = 0;
  for (; i < s.size(); i++) {
    if (s[i] == '.') {
      if (dots++ || int_digits == 0 || i + 1 == s.size()) return false;
    } else if (s[i] >= '0' && s[i] <= '9') {
      int_digits++;
    } else {
      return false;
    }
  }
  return int_digits > 0;
}

class TableCopier {
 public:
  TableCopier(SqlConnection& sql, const FullSyncTable& table, const FullSyncOptions& options,
              const std::function<void(RowBatch&)>& on_batch,
              const std::function<void(const FullSyncProgress&)>& on_progress)
      : sql_(sql), t_(table), options_(options), on_batch_(on_batch), on_progress_(on_progress) {}

  void run() {
    if (t_.schema == nullptr || t_.schema->columns.empty())
      throw SourceError(fmt::format("full sync of {}: no schema with columns was given for the table", name()), 0,
                        false);
    plan();
    progress_.database = t_.database;
    progress_.table = t_.table;
    progress_.rows_estimated = estimate_rows();
    start_ = std::chrono::steady_clock::now();
    if (keys_.empty()) scan();
    else paginate();
  }

 private:
  std::string name() const { return fmt::format("`{}`.`{}`", t_.database, t_.table); }

  [[noreturn]] void rethrow(const SourceError& e) const {
    throw SourceError(fmt::format("full sync of {}: {}", name(), e.what()), e.server_code(), e.retryable());
  }

  void plan() {
    const auto& cols = t_.schema->columns;
    std::vector<SqlType> types;
    types.reserve(cols.size());
    for (const auto& c : cols) {
      types.push_back(c.type);
      ReadAs how = read_as(c.type);
      reads_.push_back(how);
      if (!select_list_.empty()) select_list_ += ", ";
      std::string id = SqlConnection::quote_identifier(c.name);
      switch (how) {
        case ReadAs::Text: select_list_ += id; break;
        case ReadAs::Bytes: select_list_ += "CAST(" + id + " AS BINARY)"; break;
        case ReadAs::EnumIndex: select_list_ += id + "+0"; break;
      }
    }
    size_t extra = cols.size();
    for (const auto& key_name : t_.schema->row_key()) {
      int index = t_.schema->column_index(key_name);
      if (index < 0)
        throw SourceError(fmt::format("full sync of {}: key column `{}` is not among the schema's columns", name(),
                                      key_name),
                          0, false);
      const ColumnSchema& c = cols[static_cast<size_t>(index)];
      KeyColumn k;
      k.column = k.field = static_cast<size_t>(index);
      const SqlType& ty = c.type;
      if (ty.column == ColumnType::Enum || ty.column == ColumnType::Set) {
        // ORDER BY sorts ENUM and SET by index, and only a number compares by index.
        k.form = KeyForm::Number;
        if (reads_[k.column] != ReadAs::EnumIndex) {
          select_list_ += ", " + SqlConnection::quote_identifier(c.name) + "+0";
          k.field = extra++;
        }
      } else if (ty.column == ColumnType::Bit) {
        k.form = KeyForm::BitNumber;
        k.hex_text = true;
      } else if (ty.cls == TypeClass::Double) {
        k.form = KeyForm::Real;
      } else if (ty.cls == TypeClass::String || ty.cls == TypeClass::Json) {
        if (ty.is_binary_string() || ty.column == ColumnType::Geometry) {
          k.form = KeyForm::HexBytes;
          k.hex_text = true;
        } else if (reads_[k.column] == ReadAs::Bytes) {
          if (!valid_identifier_word(ty.collation->charset))
            throw SourceError(fmt::format("full sync of {}: key column `{}` has a charset obsync cannot name: {}",
                                          name(), c.name, ty.collation->charset),
                              0, false);
          k.form = KeyForm::CharsetHex;
          k.hex_text = true;
          k.charset = std::string(ty.collation->charset);
        } else {
          k.form = KeyForm::Quoted;
        }
      } else if (ty.is_temporal()) {
        k.form = KeyForm::Quoted;
      } else {
        k.form = KeyForm::Number;
      }
      key_sql_.push_back(SqlConnection::quote_identifier(c.name));
      keys_.push_back(std::move(k));
    }
    fields_ = extra;
    batch_.reset(t_.database, t_.table, t_.schema, types);
    image_.resize(cols.size());
    key_text_.resize(keys_.size());
  }

  uint64_t estimate_rows() {
    try {
      auto v = sql_.scalar(fmt::format("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} "
                                       "AND TABLE_NAME = {}",
                                       sql_.quote(t_.database), sql_.quote(t_.table)));
      uint64_t n = 0;
      if (v && whole_number(std::string_view(*v), n)) return n;
      return 0;
    } catch (const SourceError& e) {
      rethrow(e);
    }
  }

  // The literal that compares with key `k` as the value whose text is `text` does.
  std::string key_literal(const KeyColumn& k, std::string_view text) const {
    const ColumnSchema& c = t_.schema->columns[k.column];
    auto bad = [&]() -> SourceError {
      return SourceError(fmt::format("full sync of {}: key value '{}' of column `{}` ({}) cannot resume the keyset",
                                     name(), shown(text), c.name, c.type_text),
                         0, false);
    };
    switch (k.form) {
      case KeyForm::Number:
        if (!plain_number(text)) throw bad();
        return std::string(text);
      case KeyForm::Real: {
        Value v;
        std::string why;
        if (!parse_text_value(c.type, text, v, why)) throw bad();
        return fmt::format("{:.17e}", v.d);
      }
      case KeyForm::Quoted: return sql_.quote(text);
      case KeyForm::HexBytes:
        if (!valid_hex(text)) throw bad();
        return fmt::format("X'{}'", text);
      case KeyForm::CharsetHex:
        if (!valid_hex(text)) throw bad();
        return fmt::format("_{} X'{}'", k.charset, text);
      case KeyForm::BitNumber: {
        if (!valid_hex(text) || text.size() > 16) throw bad();
        uint64_t v = 0;
        for (char ch : text) v = v << 4 | static_cast<uint64_t>(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
        return std::to_string(v);
      }
    }
    throw bad();
  }

  // k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND (k2 > v2 OR …))): rows after the cursor in
  // ORDER BY k1, k2, … — the leading `>=` gives the optimizer a range on the key's prefix.
  std::string after_cursor(const std::vector<std::string>& literals) const {
    std::string tail;
    for (size_t i = keys_.size(); i-- > 0;) {
      std::string gt = key_sql_[i] + " > " + literals[i];
      tail = tail.empty() ? gt : "(" + gt + " OR (" + key_sql_[i] + " = " + literals[i] + " AND " + tail + "))";
    }
    if (keys_.size() == 1) return tail;
    return key_sql_[0] + " >= " + literals[0] + " AND " + tail;
  }

  // Turns the current row into Values and appends it; delivers the batch when it is full.
  void take_row(const std::vector<std::optional<std::string_view>>& row, uint32_t ordinal) {
    const auto& cols = t_.schema->columns;
    size_t bytes = 0;
    for (size_t i = 0; i < cols.size(); i++) {
      if (!row[i]) {
        image_[i].cls = TypeClass::Null;
        continue;
      }
      bytes += row[i]->size();
      if (!parse_text_value(cols[i].type, *row[i], image_[i], why_))
        throw SourceError(fmt::format("full sync of {}: column `{}` ({}): {}", name(), cols[i].name,
                                      cols[i].type_text, why_),
                          0, false);
    }
    batch_.append(ChangeOp::Insert, ordinal, nullptr, &image_);
    // What the batch holds for the row: its bytes plus a slot per column in each image.
    pending_bytes_ += bytes + 2 * cols.size() * sizeof(int64_t);
    if (batch_.size() >= options_.batch_rows || pending_bytes_ >= options_.batch_bytes) deliver();
  }

  void deliver() {
    if (batch_.empty()) return;
    batch_.select_all();
    on_batch_(batch_);
    batch_.clear();
    pending_bytes_ = 0;
  }

  void report(bool done) {
    progress_.done = done;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    progress_.rows_per_second = seconds > 0 ? static_cast<double>(progress_.rows_done) / seconds : 0;
    if (on_progress_) on_progress_(progress_);
  }

  void paginate() {
    std::vector<std::string> literals;
    bool have_cursor = false;
    if (t_.resume_after.size() == keys_.size()) {
      have_cursor = true;
      for (size_t i = 0; i < keys_.size(); i++) {
        if (!t_.resume_after[i]) have_cursor = false;
        else literals.push_back(key_literal(keys_[i], *t_.resume_after[i]));
      }
      if (have_cursor) progress_.last_key = t_.resume_after;
      else literals.clear();
    }
    std::string order;
    for (const auto& k : key_sql_) order += (order.empty() ? "" : ", ") + k;
    const size_t chunk = std::max<size_t>(options_.chunk_rows, 1);
    const std::string head = fmt::format("SELECT {} FROM {}.{}", select_list_,
                                         SqlConnection::quote_identifier(t_.database),
                                         SqlConnection::quote_identifier(t_.table));
    for (;;) {
      std::string query = head;
      if (have_cursor || !t_.where_sql.empty()) query += " WHERE ";
      if (have_cursor) query += after_cursor(literals);
      if (have_cursor && !t_.where_sql.empty()) query += " AND ";
      if (!t_.where_sql.empty()) query += "(" + t_.where_sql + ")";
      query += fmt::format(" ORDER BY {} LIMIT {}", order, chunk);
      size_t n = 0;
      try {
        auto stream = sql_.stream(query);
        if (stream.fields().size() != fields_)
          throw SourceError(fmt::format("the SELECT returned {} columns, {} expected", stream.fields().size(), fields_),
                            0, false);
        while (stream.next(row_)) {
          take_row(row_, static_cast<uint32_t>(n));
          for (size_t i = 0; i < keys_.size(); i++) {
            std::string_view text = row_[keys_[i].field].value_or(std::string_view());
            if (keys_[i].hex_text) {
              key_text_[i].clear();
              append_hex(key_text_[i], text);
            } else {
              key_text_[i].assign(text);
            }
          }
          n++;
        }
      } catch (const SourceError& e) {
        rethrow(e);
      }
      deliver();  // the chunk's rows reach on_batch before its key reaches the checkpoint
      progress_.rows_done += n;
      if (n > 0) {
        have_cursor = true;
        literals.clear();
        progress_.last_key.assign(key_text_.begin(), key_text_.end());
        for (size_t i = 0; i < keys_.size(); i++) literals.push_back(key_literal(keys_[i], key_text_[i]));
      }
      bool done = n < chunk;
      report(done);
      if (done) return;
    }
  }

  void scan() {
    std::string query = fmt::format("SELECT {} FROM {}.{}", select_list_, SqlConnection::quote_identifier(t_.database),
                                    SqlConnection::quote_identifier(t_.table));
    if (!t_.where_sql.empty()) query += " WHERE (" + t_.where_sql + ")";
    const size_t chunk = std::max<size_t>(options_.chunk_rows, 1);
    size_t n = 0;
    try {
      auto stream = sql_.stream(query);
      if (stream.fields().size() != fields_)
        throw SourceError(fmt::format("the SELECT returned {} columns, {} expected", stream.fields().size(), fields_),
                          0, false);
      while (stream.next(row_)) {
        take_row(row_, static_cast<uint32_t>(n));
        if (++n == chunk) {
          deliver();
          progress_.rows_done += n;
          n = 0;
          report(false);
        }
      }
    } catch (const SourceError& e) {
      rethrow(e);
    }
    deliver();
    progress_.rows_done += n;
    report(true);
  }

  SqlConnection& sql_;
  const FullSyncTable& t_;
  const FullSyncOptions& options_;
  const std::function<void(RowBatch&)>& on_batch_;
  const std::function<void(const FullSyncProgress&)>& on_progress_;

  std::vector<ReadAs> reads_;
  std::string select_list_;
  size_t fields_ = 0;
  std::vector<KeyColumn> keys_;
  std::vector<std::string> key_sql_;
  FullSyncProgress progress_;
  std::chrono::steady_clock::time_point start_;

  // Reused for every row: nothing here allocates once the first rows have sized it.
  RowBatch batch_;
  size_t pending_bytes_ = 0;
  std::vector<Value> image_;
  std::vector<std::optional<std::string_view>> row_;
  std::vector<std::string> key_text_;
  std::string why_;
};

}  // namespace

void copy_table(SqlConnection& sql, const FullSyncTable& table, const FullSyncOptions& options,
                const std::function<void(RowBatch&)>& on_batch,
                const std::function<void(const FullSyncProgress&)>& on_progress) {
  TableCopier(sql, table, options, on_batch, on_progress).run();
}

// --- WHERE pushdown --------------------------------------------------------------------------------

namespace {

// Functions the server computes exactly as stdlib does, spelled the same.
constexpr std::string_view kSharedFunctions[] = {
    "LOWER", "UPPER", "LCASE", "UCASE", "LENGTH", "OCTET_LENGTH", "CHAR_LENGTH", "CHARACTER_LENGTH", "SUBSTRING",
    "SUBSTR", "MID", "LEFT", "RIGHT", "CONCAT", "CONCAT_WS", "TRIM", "LTRIM", "RTRIM", "REPLACE", "LOCATE", "INSTR",
    "POSITION", "LPAD", "RPAD", "HEX", "ABS", "CEIL", "CEILING", "FLOOR", "ROUND", "TRUNCATE", "SIGN", "GREATEST",
    "LEAST", "IF", "IFNULL", "COALESCE", "NULLIF", "MD5", "SHA1", "SHA", "SHA2", "CRC32", "HOUR", "MINUTE", "SECOND",
};
// Functions that read their argument as a date: on a TIME, MySQL takes today's date where the
// kernel takes day zero.
constexpr std::string_view kDateFunctions[] = {
    "DATE", "YEAR", "MONTH", "DAY", "DATE_FORMAT", "DATE_ADD", "DATE_SUB", "ADDDATE", "SUBDATE", "DATEDIFF",
    "UNIX_TIMESTAMP", "FROM_UNIXTIME",
};

std::string_view unit_sql(IntervalUnit u) {
  switch (u) {
    case IntervalUnit::Microsecond: return "MICROSECOND";
    case IntervalUnit::Second: return "SECOND";
    case IntervalUnit::Minute: return "MINUTE";
    case IntervalUnit::Hour: return "HOUR";
    case IntervalUnit::Day: return "DAY";
    case IntervalUnit::Week: return "WEEK";
    case IntervalUnit::Month: return "MONTH";
    case IntervalUnit::Quarter: return "QUARTER";
    case IntervalUnit::Year: return "YEAR";
    case IntervalUnit::SecondMicrosecond: return "SECOND_MICROSECOND";
    case IntervalUnit::MinuteMicrosecond: return "MINUTE_MICROSECOND";
    case IntervalUnit::MinuteSecond: return "MINUTE_SECOND";
    case IntervalUnit::HourMicrosecond: return "HOUR_MICROSECOND";
    case IntervalUnit::HourSecond: return "HOUR_SECOND";
    case IntervalUnit::HourMinute: return "HOUR_MINUTE";
    case IntervalUnit::DayMicrosecond: return "DAY_MICROSECOND";
    case IntervalUnit::DaySecond: return "DAY_SECOND";
    case IntervalUnit::DayMinute: return "DAY_MINUTE";
    case IntervalUnit::DayHour: return "DAY_HOUR";
    case IntervalUnit::YearMonth: return "YEAR_MONTH";
  }
  return "DAY";
}

// A string literal that reads the same whatever the server's sql_mode: quotes doubled (valid
// with and without NO_BACKSLASH_ESCAPES); text with backslashes or control bytes as a hex
// string with the utf8mb4 introducer, which is a character string literal as '…' is.
std::string string_literal(std::string_view s) {
  bool plain = true;
  for (char c : s) {
    auto b = static_cast<unsigned char>(c);
    if (c == '\\' || b < 0x20 || b == 0x7f) plain = false;
  }
  if (!plain) {
    std::string out = "_utf8mb4 X'";
    append_hex(out, s);
    return out + "'";
  }
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

bool chars_in(std::string_view s, std::string_view allowed) {
  return std::all_of(s.begin(), s.end(), [&](char c) { return allowed.find(c) != std::string_view::npos; });
}

class PushdownRenderer {
 public:
  explicit PushdownRenderer(const TableSchema* schema) : schema_(schema) {}

  // One AND-term as SQL, or nullopt when the server would not evaluate it as the kernel does.
  std::optional<std::string> term(const ast::Expr& e) {
    date_conversion_ = time_column_ = date_column_ = false;
    std::string out;
    if (!render(e, out)) return std::nullopt;
    bool time_mixed = schema_ != nullptr ? time_column_ && (date_conversion_ || date_column_) : date_conversion_;
    if (time_mixed) return std::nullopt;
    return out;
  }

 private:
  bool render(const ast::Expr& e, std::string& out) {
    using K = ast::ExprKind;
    auto arg = [&](size_t i, std::string& s) { return i < e.args.size() && e.args[i] && render(*e.args[i], s); };
    std::string a, b, c;
    std::string_view maybe_not = e.negated ? "NOT " : "";
    switch (e.kind) {
      case K::Literal: return literal(e, out);
      case K::Column: {
        if (schema_ != nullptr) {
          const ColumnSchema* col = schema_->find_column(e.text);
          if (col == nullptr) return false;  // the SELECT would fail; the kernel reports it
          if (col->type.cls == TypeClass::Time) time_column_ = true;
          if (col->type.cls == TypeClass::Date || col->type.cls == TypeClass::DateTime) date_column_ = true;
        }
        out = SqlConnection::quote_identifier(e.text);
        return true;
      }
      case K::OldColumn: return false;  // the before image: none in the full sync
      case K::Unary: {
        if (!arg(0, a)) return false;
        if (e.op == "NOT" || e.op == "!") out = "(NOT " + a + ")";
        else if (e.op == "-" || e.op == "+" || e.op == "~") out = "(" + e.op + a + ")";
        else if (iequals(e.op, "BINARY")) out = "CAST(" + a + " AS BINARY)";
        else return false;
        return true;
      }
      case K::Binary: {
        static constexpr std::string_view kOps[] = {"+", "-", "*", "/", "DIV", "%", "MOD", "^", "&", "|",
                                                    "<<", ">>", "=", "<=>", "<>", "!=", "<", "<=", ">", ">=",
                                                    "AND", "OR", "XOR"};
        std::string op = upper(e.op);
        if (op == "&&") op = "AND";
        if (op == "||") op = "OR";  // OR whatever PIPES_AS_CONCAT says
        if (op == "!=") op = "<>";
        if (std::find(std::begin(kOps), std::end(kOps), op) == std::end(kOps)) return false;
        if (!arg(0, a) || !arg(1, b)) return false;
        out = "(" + a + " " + op + " " + b + ")";
        return true;
      }
      case K::Is: {
        std::string op = upper(e.op);
        if (op != "NULL" && op != "TRUE" && op != "FALSE" && op != "UNKNOWN") return false;
        if (!arg(0, a)) return false;
        out = fmt::format("({} IS {}{})", a, maybe_not, op);
        return true;
      }
      case K::IsDistinct:  // MySQL spells IS NOT DISTINCT FROM as <=>
        if (!arg(0, a) || !arg(1, b)) return false;
        out = e.negated ? "(" + a + " <=> " + b + ")" : "(NOT (" + a + " <=> " + b + "))";
        return true;
      case K::Between:
        if (!arg(0, a) || !arg(1, b) || !arg(2, c)) return false;
        out = fmt::format("({} {}BETWEEN {} AND {})", a, maybe_not, b, c);
        return true;
      case K::In: {
        if (e.args.size() < 2 || !arg(0, a)) return false;
        out = fmt::format("({} {}IN (", a, maybe_not);
        for (size_t i = 1; i < e.args.size(); i++) {
          if (!arg(i, b)) return false;
          out += (i > 1 ? ", " : "") + b;
        }
        out += "))";
        return true;
      }
      case K::Like:
        if (!arg(0, a) || !arg(1, b)) return false;
        out = fmt::format("({} {}LIKE {}", a, maybe_not, b);
        if (e.args.size() > 2) {
          if (!arg(2, c)) return false;
          out += " ESCAPE " + c;
        }
        out += ")";
        return true;
      case K::Case: {
        size_t i = 0;
        out = "(CASE";
        if (e.has_operand) {
          if (!arg(i++, a)) return false;
          out += " " + a;
        }
        size_t whens_end = e.args.size() - (e.has_else ? 1 : 0);
        for (; i + 2 <= whens_end; i += 2) {
          if (!arg(i, a) || !arg(i + 1, b)) return false;
          out += " WHEN " + a + " THEN " + b;
        }
        if (e.has_else) {
          if (!arg(e.args.size() - 1, a)) return false;
          out += " ELSE " + a;
        }
        out += " END)";
        return true;
      }
      case K::Cast: {
        if (!arg(0, a)) return false;
        std::string type;
        if (!cast_type(e.cast, type)) return false;
        out = "CAST(" + a + " AS " + type + ")";
        return true;
      }
      case K::Call: return call(e, out);
      case K::Interval:
        if (!arg(0, a)) return false;
        date_conversion_ = true;
        out = fmt::format("INTERVAL {} {}", a, unit_sql(e.unit));  // never parenthesized: MySQL refuses (INTERVAL …)
        return true;
      case K::Regexp:    // MySQL 8 matches with ICU, MariaDB with PCRE
      case K::JsonPath:  // MariaDB has neither -> nor JSON comparison semantics
      case K::Collate:   // the server may not know the collation
        return false;
    }
    return false;
  }

  bool literal(const ast::Expr& e, std::string& out) {
    using L = ast::LiteralKind;
    const std::string& t = e.text;
    switch (e.literal_kind) {
      case L::Null: out = "NULL"; return true;
      case L::Bool: out = iequals(t, "TRUE") ? "TRUE" : "FALSE"; return true;
      case L::Integer:
        if (t.empty() || !chars_in(t, "0123456789")) return false;
        out = t;
        return true;
      case L::Decimal:
        if (t.empty() || !chars_in(t, "0123456789.")) return false;
        out = t;
        return true;
      case L::Real:
        if (t.empty() || !chars_in(t, "0123456789.eE+-") ||
            !(std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '.'))
          return false;
        out = t;
        return true;
      case L::String: out = string_literal(t); return true;
      case L::Hex:
        if (!chars_in(t, "0123456789abcdefABCDEF")) return false;
        out = t.empty() ? "X''" : "0x" + t;
        return true;
      case L::Bit:
        if (!chars_in(t, "01")) return false;
        out = t.empty() ? "B''" : "0b" + t;
        return true;
      case L::Date:
      case L::Time:
      case L::Timestamp: {
        if (t.find('\\') != std::string::npos) return false;
        if (e.literal_kind != L::Time) date_conversion_ = true;
        std::string_view kw = e.literal_kind == L::Date ? "DATE" : e.literal_kind == L::Time ? "TIME" : "TIMESTAMP";
        out = fmt::format("{} {}", kw, string_literal(t));
        return out.find("X'") == std::string::npos;  // control bytes: no temporal literal form
      }
    }
    return false;
  }

  bool cast_type(const ast::CastType& t, std::string& out) {
    using C = ast::CastKind;
    auto len = [&] { return t.length ? fmt::format("({})", *t.length) : std::string(); };
    switch (t.kind) {
      case C::Binary: out = "BINARY" + len(); return true;
      case C::Char:
        out = "CHAR" + len();
        if (!t.charset.empty()) {
          if (!valid_identifier_word(t.charset)) return false;
          out += " CHARACTER SET " + t.charset;
        }
        return true;
      case C::Date: date_conversion_ = true; out = "DATE"; return true;
      case C::DateTime: date_conversion_ = true; out = "DATETIME" + len(); return true;
      case C::Time: date_conversion_ = true; out = "TIME" + len(); return true;
      case C::Decimal:
        out = "DECIMAL";
        if (t.length) out += t.scale ? fmt::format("({},{})", *t.length, *t.scale) : fmt::format("({})", *t.length);
        return true;
      case C::Signed: out = "SIGNED"; return true;
      case C::Unsigned: out = "UNSIGNED"; return true;
      case C::Double: out = "DOUBLE"; return true;
      case C::Float: out = "FLOAT" + len(); return true;
      case C::Json:  // not in MariaDB
      case C::Year:  // MySQL 8.0.22+ only
        return false;
    }
    return false;
  }

  bool call(const ast::Expr& e, std::string& out) {
    std::string name = upper(e.text);
    auto listed = [&](const auto& list) { return std::find(std::begin(list), std::end(list), name) != std::end(list); };
    bool shared = listed(kSharedFunctions);
    bool dated = listed(kDateFunctions);
    if (!shared && !dated) return false;  // op(), commit_ts(), anything the server spells otherwise
    if (dated) {
      if (e.args.empty()) return false;  // UNIX_TIMESTAMP() reads the clock
      date_conversion_ = true;
    }
    std::vector<std::string> args(e.args.size());
    for (size_t i = 0; i < e.args.size(); i++)
      if (!e.args[i] || !render(*e.args[i], args[i])) return false;
    if (name == "TRIM" && !e.op.empty()) {  // TRIM(side [remstr] FROM str)
      std::string side = upper(e.op);
      if (side != "BOTH" && side != "LEADING" && side != "TRAILING") return false;
      if (args.empty()) return false;
      out = "TRIM(" + side + " " + (args.size() > 1 ? args[1] + " " : "") + "FROM " + args[0] + ")";
      return true;
    }
    if (name == "POSITION" && !e.op.empty()) {
      if (args.size() != 2) return false;
      out = "POSITION(" + args[0] + " IN " + args[1] + ")";
      return true;
    }
    out = name + "(";
    for (size_t i = 0; i < args.size(); i++) out += (i ? ", " : "") + args[i];
    out += ")";
    return true;
  }

  const TableSchema* schema_;
  bool date_conversion_ = false, time_column_ = false, date_column_ = false;
};

void and_terms(const ast::Expr& e, std::vector<const ast::Expr*>& out) {
  if (e.kind == ast::ExprKind::Binary && (iequals(e.op, "AND") || e.op == "&&") && e.args.size() == 2 && e.args[0] &&
      e.args[1]) {
    and_terms(*e.args[0], out);
    and_terms(*e.args[1], out);
    return;
  }
  out.push_back(&e);
}

}  // namespace

std::optional<std::string> pushdown_sql(const ast::Expr& where, const TableSchema* schema) {
  std::vector<const ast::Expr*> terms;
  and_terms(where, terms);
  PushdownRenderer renderer(schema);
  std::string out;
  for (const ast::Expr* t : terms) {
    auto sql = renderer.term(*t);
    if (!sql) continue;
    if (!out.empty()) out += " AND ";
    out += *sql;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace obsync::source

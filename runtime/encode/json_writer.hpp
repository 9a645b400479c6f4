// JSON text for the message formats: escaping (always valid UTF-8 out), Base64, numbers, and the
// renderings of column values and record metadata that several formats share.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/encode/encoder.hpp"
#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync::encode {

// --- JSON primitives (append to `out`, no allocation beyond out's growth) --------------------

// A quoted JSON string. Bytes that are not well-formed UTF-8 become U+FFFD each, so the message
// stays valid JSON (and valid UTF-8) whatever a column holds.
void append_json_string(std::string& out, std::string_view text);
// Quoted Base64 (RFC 4648 standard alphabet, padded): what Java's Base64.getDecoder() and
// Jackson's binaryValue() read.
void append_base64(std::string& out, std::string_view bytes);
void append_base64_raw(std::string& out, std::string_view bytes);  // without quotes
void append_int(std::string& out, int64_t v);
void append_uint(std::string& out, uint64_t v);
// Shortest text that reads back as the same double / float (JSON number); `null` for NaN and
// infinities, which MySQL columns cannot hold but JSON cannot express.
void append_double(std::string& out, double v);
void append_float(std::string& out, float v);
// `,"key":` (the comma unless `first`); keys are known ASCII names of the format.
inline void append_key(std::string& out, std::string_view key, bool first = false) {
  if (!first) out.push_back(',');
  out.push_back('"');
  out.append(key);
  out.append("\":");
}

// --- column values ---------------------------------------------------------------------------

// True for columns whose values are bytes, not text: BINARY, VARBINARY, the BLOBs, BIT and
// GEOMETRY (binary collation or a binary column type).
bool is_binary_column(const SqlType& t);

// The MySQL text form of a non-NULL value, as the `mysql` client shows it through a utf8mb4
// connection: render_value for numbers and temporals, text in other charsets converted to
// UTF-8, binary values as Base64. `timestamp_epoch`: TIMESTAMP as epoch seconds with six
// fraction digits ("1662034855.000000", OMS Default). Returns a view of v.str or of `scratch`.
std::string_view value_text(const Value& v, const SqlType& t, bool timestamp_epoch, std::string& scratch);
// The same as a JSON string, or `null` for SQL NULL.
void append_text_value(std::string& out, const Value& v, const SqlType& t, bool timestamp_epoch,
                       std::string& scratch);

// Whether two values of one column are the same (Canal's `old` lists the columns that differ).
bool values_equal(const Value& a, const Value& b);

// Temporal helpers on a value's wall clock read as UTC (DATETIME has no zone; TIMESTAMP values
// arrive as UTC wall clocks). A date with a zero year, month or day is not a calendar date.
bool is_calendar_date(const Temporal& t);
int64_t epoch_micros(const Temporal& t);  // DATETIME/TIMESTAMP wall clock -> µs since epoch
int64_t epoch_days(const Temporal& t);    // DATE -> days since 1970-01-01
int64_t time_micros_signed(const Temporal& t);  // TIME -> signed µs

// --- record metadata -------------------------------------------------------------------------

// The image a record's row values come from: after for INSERT/UPDATE/full-sync, before for DELETE.
const std::vector<Value>* row_image(const ChangeRecord& r);
// The message key every format but debezium uses: the SHARD BY values (MySQL text form) as a JSON
// array of strings. No key under PARTITION BY ONE, without SHARD BY columns, or for DDL and
// heartbeat records (they go to every partition).
void set_shard_key(const TableContext& table, const ChangeRecord& r, Message& out, std::string& scratch);
// The key columns' values joined by U+0001 (OMS's multi-column separator), MySQL text form.
void append_joined_key_values(std::string& out, const TableContext& table, const std::vector<Value>* image,
                              bool timestamp_epoch, std::string& scratch);
// The transaction's id: its GTID, else "file:position" of its start; "" for full-sync rows.
void append_transaction_id(std::string& out, const ChangeRecord& r);
// "2017-06-16T14:24:34" (UTC) of microseconds / milliseconds since the epoch.
void append_iso_seconds(std::string& out, int64_t epoch_seconds);
// Floor division for times before 1970.
inline int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace obsync::encode

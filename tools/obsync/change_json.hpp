// The JSON Lines form of row changes shared by `binlog print` (files) and `binlog tail` (live):
// {"file", "pos", "gtid", "ts", "db", "table", "op", ["columns",] "before", "after"} with each
// value its MySQL text form as a JSON string, or null.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync::cli {

// A JSON string of a value's bytes. Text is UTF-8 and passes through; bytes that are not UTF-8
// (and every byte >= 0x80 of latin1 text and binary strings: BINARY, BLOB, BIT, GEOMETRY) read
// as ISO-8859-1, one character U+0080..U+00FF a byte, so the line is always valid JSON and
// binary values map back to their bytes exactly.
void append_json_string(std::string& out, std::string_view s, bool bytes_as_latin1 = false);

// The values of one image, `types[i]` rendering values[i]; a NULL value prints null.
void append_json_image(std::string& out, const std::vector<Value>& values, const std::vector<const SqlType*>& types);

struct ChangeLineHead {
  std::string_view file;
  uint64_t pos = 0;
  std::string_view gtid;  // empty: null
  int64_t ts = 0;         // seconds since the epoch
  std::string_view db, table, op;
  const std::vector<std::string>* columns = nullptr;  // null: no "columns" member
};
// Appends `{"file":…,…,"op":…[,"columns":[…]]` (no closing brace: before/after follow).
void append_change_head(std::string& out, const ChangeLineHead& head);

}  // namespace obsync::cli

// Reads tests/unit/data/collation_mariadb.tsv, the answers of a real MariaDB (tools/gen/gen_collation_golden.py).
#pragma once
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace obsync::test {

struct GoldenRow {
  bool latin1;
  bool wide;  // random code points of planes 0-2
  std::string a, b, pattern;
  std::vector<int> results;  // per collation: STRCMP(a, b), a LIKE pattern
};

inline std::string unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

inline std::vector<GoldenRow> load_golden() {
  std::ifstream in(std::string(OBSYNC_SOURCE_DIR) + "/tests/unit/data/collation_mariadb.tsv");
  std::vector<GoldenRow> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, '\t');) f.push_back(cell);
    while (f.size() < 4) f.emplace_back();
    GoldenRow r{f[0] == "latin1", f[0] == "wide", unhex(f[1]), unhex(f[2]), unhex(f[3]), {}};
    for (size_t i = 4; i < f.size(); ++i) r.results.push_back(std::stoi(f[i]));
    rows.push_back(std::move(r));
  }
  return rows;
}

// Column order of the golden file.
inline const std::vector<std::string> kGoldenUtf8 = {
    "binary", "utf8mb4_bin", "utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_unicode_520_ci",
    "utf8mb4_0900_ai_ci" /* vs uca1400_nopad_ai_ci */, "utf8mb4_0900_as_cs" /* vs uca1400_nopad_as_cs */};
inline const std::vector<std::string> kGoldenLatin1 = {"latin1_swedish_ci", "latin1_bin"};

}  // namespace obsync::test

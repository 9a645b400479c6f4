// Every MySQL column type with its edge values: one table and four rows shared by the tests
// that hold the binlog decoder, the full sync and the formats to what SELECT shows.
#pragma once
#include <string>
#include <vector>

namespace obsync::test {

// One column per type (and per interesting variant), `id` the primary key.
inline constexpr const char* kAllTypesColumns =
    "id INT NOT NULL PRIMARY KEY, "
    "ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED, "
    "i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED, "
    "d65 DECIMAL(65,30), d10 DECIMAL(10,2) UNSIGNED, d5 DECIMAL(5,0), "
    "f FLOAT, dbl DOUBLE, "
    "b1 BIT(1), b13 BIT(13), b64 BIT(64), y YEAR, "
    "dt DATE, t0 TIME, t6 TIME(6), t3 TIME(3), dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, "
    "c CHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci, "
    "vc VARCHAR(300) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, "
    "vl VARCHAR(20) CHARACTER SET latin1, "
    "bn BINARY(4), vb VARBINARY(10), "
    "tt TINYTEXT CHARACTER SET utf8mb4, tx TEXT CHARACTER SET utf8mb4, mt MEDIUMTEXT CHARACTER SET utf8mb4, "
    "lt LONGTEXT CHARACTER SET utf8mb4, "
    "tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB, "
    "e ENUM('a','b','ü','') CHARACTER SET utf8mb4, st SET('x','y','z') CHARACTER SET utf8mb4, "
    "j JSON, g GEOMETRY";

// Rows as SQL value lists after the id: minimums and negative extremes with zero dates and
// empty strings; maximums with 4-byte UTF-8 and fractional seconds (and a 3 MB LONGBLOB); all
// NULL; ordinary values.
inline const std::vector<std::string> kAllTypesRows = {
    // minimums and negative extremes, zero dates, empty strings
    "-128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, "
    "-99999999999999999999999999999999999.999999999999999999999999999999, 0.00, -99999, "
    "-3.40282e38, -1.7976931348623157e308, b'0', b'0', b'0', 1901, "
    "'0000-00-00', '-838:59:59', '-838:59:59.000000', '-00:00:00.001', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000000', "
    "'1970-01-01 00:00:01', '1970-01-01 00:00:01.000', "
    "'', '', '', x'00', x'', '', '', '', '', x'', x'', x'', x'', '', '', '[]', ST_GeomFromText('POINT(0 0)')",
    // maximums, 4-byte UTF-8, fractional seconds
    "127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, "
    "99999999999999999999999999999999999.999999999999999999999999999999, 99999999.99, 99999, "
    "3.40282e38, 1.7976931348623157e308, b'1', b'1111111111111', b'1111111111111111111111111111111111111111111111111111111111111111', 2155, "
    "'9999-12-31', '838:59:59', '838:59:59.000000', '838:59:58.999', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999999', "
    "'2038-01-19 03:14:07', '2038-01-19 03:14:07.999', "
    "'😀𝄞漢字', REPEAT('ü😀', 150), 'Ærøskøbing', x'ffffffff', x'00ff00ff00ff00ff00ff', "
    "REPEAT('x', 255), REPEAT('漢', 1000), REPEAT('m', 70000), REPEAT('L', 100000), "
    "x'00', REPEAT(x'ab', 65535), REPEAT(x'cd', 100000), REPEAT(x'ef', 3000000), 'ü', 'x,y,z', "
    "'{\"k\": [1, 2.5, \"s\", null, true, {\"n\": -1}], \"u\": \"😀\"}', ST_GeomFromText('LINESTRING(0 0, 1 1, 2.5 -3)')",
    // everything NULL
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL",
    // ordinary values
    "-5, 200, -300, 40000, -70000, 70000, -1, 3000000000, -1, 9223372036854775808, "
    "-0.000000000000000000000000000001, 12.34, -0, "
    "1.5, 0.1, b'1', b'101', b'1000000000000000000000000000000000000000000000000000000000000001', 2026, "
    "'2026-11-25', '-12:34:56', '00:00:00.000001', '-00:00:01.5', '2026-11-25 10:11:12', '2026-11-25 10:11:12.000001', "
    "'2026-11-25 10:11:12', '2026-11-25 10:11:12.5', "
    "'a ', 'tab\\there\\nnew', 'x\\\\y', x'0102', x'000000', 'tt', 'text', 'mt', 'lt', x'7f', x'80', x'ff', x'00', "
    "'b', 'y', '{\"a\": {\"b\": [1, {\"c\": 1e300}]}, \"big\": 18446744073709551615}', ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))')",
};

}  // namespace obsync::test

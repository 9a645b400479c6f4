// MD5 SHA1 SHA2 CRC32: published test vectors and MySQL 8's NULL rules.
#include <catch2/catch.hpp>

#include "tests/unit/numeric_test_util.hpp"

using obsync::testing::eval_expr;

TEST_CASE("digests are lowercase hex of the argument's bytes") {
  CHECK(eval_expr("MD5('abc')") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(eval_expr("MD5('')") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(eval_expr("MD5(123)") == eval_expr("MD5('123')"));
  CHECK(eval_expr("SHA1('abc')") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(eval_expr("SHA2('abc', 256)") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(eval_expr("SHA2('abc', 0)") == eval_expr("SHA2('abc', 256)"));
  CHECK(eval_expr("SHA2('abc', 224)") == "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
}

TEST_CASE("SHA2 gives NULL for an unsupported length or a NULL argument") {
  CHECK(eval_expr("SHA2('abc', 1)") == "NULL");
  CHECK(eval_expr("SHA2('abc', NULL)") == "NULL");
  CHECK(eval_expr("SHA2(NULL, 256)") == "NULL");
  CHECK(eval_expr("MD5(NULL)") == "NULL");
}

TEST_CASE("CRC32 is zlib's CRC-32") {
  CHECK(eval_expr("CRC32('MySQL')") == "3259397556");
  CHECK(eval_expr("CRC32('123456789')") == "3421780262");  // the CRC-32 check value 0xCBF43926
  CHECK(eval_expr("CRC32('')") == "0");
  CHECK(eval_expr("CRC32(NULL)") == "NULL");
}

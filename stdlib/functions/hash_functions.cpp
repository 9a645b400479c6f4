// Hash functions (registered in hash_functions()): MD5 SHA1 SHA2 CRC32 over the argument's bytes.
#include <openssl/evp.h>

#include <array>
#include <memory>

#include "stdlib/collation.hpp"
#include "stdlib/convert.hpp"
#include "stdlib/function_registry.hpp"

namespace obsync {
namespace {

// Lowercase hex of EVP digest `md` over `bytes`; MySQL prints digests in lowercase.
std::string hex_digest(const EVP_MD* md, const std::string& bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 || EVP_DigestFinal_ex(ctx.get(), out, &len) != 1)
    return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    s += kHex[out[i] >> 4];
    s += kHex[out[i] & 0xF];
  }
  return s;
}

// A digest is a string in the connection's character set and collation (MySQL 8's
// character_set_connection), coercible like a literal.
SqlType digest_type(uint32_t length, bool nullable) {
  SqlType t = SqlType::string(&default_collation(), length);
  t.nullable = nullable;
  return t;
}

bool resolve_md5(std::span<const SqlType> args, BoundCall& out, std::string&) {
  out.result = digest_type(32, args[0].nullable);
  return true;
}
bool resolve_sha1(std::span<const SqlType> args, BoundCall& out, std::string&) {
  out.result = digest_type(40, args[0].nullable);
  return true;
}
bool resolve_sha2(std::span<const SqlType>, BoundCall& out, std::string&) {
  out.result = digest_type(128, true);  // an unsupported bit length gives NULL
  return true;
}

Value eval_md5(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  return Value::from_string(hex_digest(EVP_md5(), value_to_string(a[0], c.args[0])));
}
Value eval_sha1(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  return Value::from_string(hex_digest(EVP_sha1(), value_to_string(a[0], c.args[0])));
}
Value eval_sha2(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  const EVP_MD* md = nullptr;
  switch (value_to_int(a[1], c.args[1]).value) {
    case 0:  // MySQL reads 0 as 256
    case 256: md = EVP_sha256(); break;
    case 224: md = EVP_sha224(); break;
    case 384: md = EVP_sha384(); break;
    case 512: md = EVP_sha512(); break;
    default: return Value::null();  // with a warning in MySQL
  }
  return Value::from_string(hex_digest(md, value_to_string(a[0], c.args[0])));
}

// CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320) as zlib's crc32(), which MySQL calls;
// zlib is not linked, so a table-driven version lives here.
uint32_t crc32_bytes(const std::string& bytes) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) crc = kTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

bool resolve_crc32(std::span<const SqlType> args, BoundCall& out, std::string&) {
  out.result = SqlType::bigint(true);
  out.result.length = 10;
  out.result.nullable = args[0].nullable;
  return true;
}
Value eval_crc32(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  return Value::from_uint(crc32_bytes(value_to_string(a[0], c.args[0])));
}

constexpr FunctionDef kHash[] = {
    {"MD5", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_md5, eval_md5, "MD5(str)"},
    {"SHA1", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_sha1, eval_sha1, "SHA1(str)"},
    {"SHA2", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_sha2, eval_sha2, "SHA2(str, 224|256|384|512)"},
    {"CRC32", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_crc32, eval_crc32, "CRC32(str)"},
};

}  // namespace

std::span<const FunctionDef> hash_functions() { return kHash; }

}  // namespace obsync

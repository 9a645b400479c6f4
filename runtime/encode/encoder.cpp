// make_encoder: a format's canonical name to its encoder.
#include "runtime/encode/encoder.hpp"

namespace obsync::encode {

// Defined in the format's own file.
std::unique_ptr<Encoder> make_default_encoder(bool extend_column_type);
std::unique_ptr<Encoder> make_canal_encoder();
std::unique_ptr<Encoder> make_dataworks_encoder();
std::unique_ptr<Encoder> make_shareplex_encoder();
std::unique_ptr<Encoder> make_debezium_encoder();

std::unique_ptr<Encoder> make_encoder(std::string_view format) {
  if (format == "default") return make_default_encoder(false);
  if (format == "default_extend_column_type") return make_default_encoder(true);
  if (format == "canal") return make_canal_encoder();
  if (format == "dataworks") return make_dataworks_encoder();
  if (format == "shareplex") return make_shareplex_encoder();
  if (format == "debezium") return make_debezium_encoder();
  return nullptr;
}

}  // namespace obsync::encode

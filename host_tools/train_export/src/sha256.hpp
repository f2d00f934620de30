// SHA-256 of input files, recorded in outputs so a result can be traced to its exact data.
#pragma once

#include <string>
#include <string_view>

namespace train_export {

/// The digest as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace train_export

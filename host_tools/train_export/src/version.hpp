// The tool's version, recorded in every file it generates.
#pragma once

#include <string_view>

namespace train_export {

inline constexpr std::string_view tool_name = "train_export";
inline constexpr std::string_view tool_version = "0.1.0";

}  // namespace train_export

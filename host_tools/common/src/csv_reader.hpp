// Parses labeled CSV examples quickly, reporting any problem as FILE:LINE:COLUMN: message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "labeled_data.hpp"

namespace host_tools {

/// Parses `text`, the whole content of the file `file_name` (used only in messages).
///
/// Format: no header row; each line is an integer label in [0, classes) followed by one or more
/// real-valued features, comma separated, no spaces; every line has the same number of fields.
/// Accepted without complaint: "\r\n" line ends, a UTF-8 byte-order mark, a missing final
/// newline and blank lines at the end of the file.
/// Throws tool_error(data) on anything else: empty file, blank line before the last row, a
/// row with a different field count, a field that is not a number, NaN or infinity, a label
/// that is negative, not a whole number or not below `classes`.
template <class T>
labeled_data<T> parse_labeled_csv(std::string_view text, const std::string& file_name,
                                  std::size_t classes);

extern template labeled_data<float> parse_labeled_csv<float>(std::string_view, const std::string&,
                                                             std::size_t);
extern template labeled_data<double> parse_labeled_csv<double>(std::string_view, const std::string&,
                                                               std::size_t);

}  // namespace host_tools

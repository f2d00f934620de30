// Parses labeled CSV examples quickly, reporting any problem as FILE:LINE:COLUMN: message.
#include "csv_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "error.hpp"

namespace host_tools {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// Quotes a field for a message; long or binary fields would otherwise swamp the terminal.
std::string quoted(std::string_view field) {
  constexpr std::size_t shown = 24;
  std::string out = "'";
  for (char c : field.substr(0, shown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  if (field.size() > shown) out += "...";
  out += "'";
  return out;
}

template <class T>
constexpr std::string_view scalar_name() {
  return sizeof(T) == sizeof(float) ? "float" : "double";
}

// Walks the text line by line; owns the position bookkeeping so messages point at the byte.
template <class T>
class csv_parser {
 public:
  csv_parser(std::string_view text, const std::string& file_name, std::size_t classes)
      : text_(text), file_name_(file_name), classes_(classes) {}

  labeled_data<T> parse() {
    if (text_.starts_with(utf8_bom)) text_.remove_prefix(utf8_bom.size());
    const char* p = text_.data();
    const char* const end = p + text_.size();
    std::size_t first_blank_line = 0;
    while (p < end) {
      ++line_;
      const char* eol =
          static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      if (eol == nullptr) eol = end;
      const char* content_end = (eol > p && eol[-1] == '\r') ? eol - 1 : eol;
      if (content_end == p) {
        if (first_blank_line == 0) first_blank_line = line_;
      } else {
        if (first_blank_line != 0) {
          fail_at(first_blank_line, 1,
                  "empty line between examples (blank lines are allowed only at the end)");
        }
        if (line_ == 1) reserve_for(p, content_end, end);
        parse_row(p, content_end);
      }
      p = eol == end ? end : eol + 1;
    }
    if (data_.labels.empty()) {
      fail_at(1, 1,
              text_.empty() ? "the file is empty; expected one example per line: label,feature,..."
                            : "the file has only blank lines; expected one example per line");
    }
    return std::move(data_);
  }

 private:
  [[noreturn]] void fail_at(std::size_t line, std::size_t column, const std::string& what) const {
    fail_data(fmt::format("{}:{}:{}: {}", file_name_, line, column, what));
  }
  [[noreturn]] void fail_at(const char* where, const std::string& what) const {
    fail_at(line_, static_cast<std::size_t>(where - line_start_) + 1, what);
  }

  // One growth step for the whole file instead of many, sized by how many rows as long as
  // line 1 the text can hold: that is exact for the usual fixed-width files, and never more
  // than the text's own size in values whatever line 1 claims (a wide first row followed by
  // short rows or by blank lines must not reserve rows x width).
  void reserve_for(const char* row, const char* row_end, const char* end) {
    const auto features = static_cast<std::size_t>(std::count(row, row_end, ','));
    const auto row_bytes = static_cast<std::size_t>(row_end - row) + 1;
    const auto rows = (static_cast<std::size_t>(end - row) + row_bytes - 1) / row_bytes;
    data_.labels.reserve(rows);
    data_.features.reserve(rows * features);
  }

  void parse_row(const char* row, const char* row_end) {
    line_start_ = row;
    const char* field_end = next_comma(row, row_end);
    data_.labels.push_back(parse_label(row, field_end));

    const bool first_row = data_.labels.size() == 1;
    std::size_t count = 0;
    while (field_end != row_end) {
      const char* field = field_end + 1;
      field_end = next_comma(field, row_end);
      if (!first_row && count == data_.width) fail_field_count(row, row_end, field);
      data_.features.push_back(parse_feature(field, field_end));
      ++count;
    }
    if (first_row) {
      if (count == 0) {
        fail_at(row_end, "the row has only a label; expected the label followed by the features");
      }
      data_.width = count;
    } else if (count != data_.width) {
      fail_field_count(row, row_end, row_end);
    }
  }

  [[noreturn]] void fail_field_count(const char* row, const char* row_end,
                                     const char* where) const {
    const auto fields = static_cast<std::size_t>(std::count(row, row_end, ',')) + 1;
    fail_at(where, fmt::format("the row has {} fields; expected {} (a label and {} feature{}, as "
                               "on line 1)",
                               fields, data_.width + 1, data_.width, data_.width == 1 ? "" : "s"));
  }

  static const char* next_comma(const char* from, const char* to) {
    const void* comma = std::memchr(from, ',', static_cast<std::size_t>(to - from));
    return comma == nullptr ? to : static_cast<const char*>(comma);
  }

  label_type parse_label(const char* first, const char* last) const {
    const std::string_view field(first, static_cast<std::size_t>(last - first));
    if (field.empty()) fail_at(first, "empty label field; expected a whole number");
    const bool negative = field.front() == '-';
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(first + (negative ? 1 : 0), last, value);
    if (ptr == last && ec == std::errc{} && !(negative && field.size() == 1)) {
      if (negative && value != 0) fail_at(first, fmt::format("label {} is negative", field));
      if (value >= classes_) {
        fail_at(first, fmt::format("label {} is not below the class count {} (see --classes)",
                                   field, classes_));
      }
      return static_cast<label_type>(value);
    }
    if (ptr == last && ec == std::errc::result_out_of_range) {
      fail_at(first, fmt::format("label {} is not below the class count {} (see --classes)",
                                 quoted(field), classes_));
    }
    double as_real = 0;
    if (const auto real = std::from_chars(first, last, as_real); real.ptr == last) {
      fail_at(first, fmt::format("label {} is not a whole number", quoted(field)));
    }
    fail_at(first, fmt::format("label {} is not a number", quoted(field)));
  }

  T parse_feature(const char* first, const char* last) {
    // Pixel data is almost all "0" and "1"; skipping from_chars for them halves the parse time.
    if (last - first == 1 && (*first == '0' || *first == '1')) return *first == '0' ? T{0} : T{1};
    T value{};
    const auto [ptr, ec] = std::from_chars(first, last, value);
    const std::string_view field(first, static_cast<std::size_t>(last - first));
    if (field.empty()) fail_at(first, "empty feature field; expected a number");
    if (ptr != last || ec == std::errc::invalid_argument) {
      fail_at(first, fmt::format("feature {} is not a number", quoted(field)));
    }
    if (ec == std::errc::result_out_of_range) {
      fail_at(first,
              fmt::format("feature {} is out of the range of {}", quoted(field), scalar_name<T>()));
    }
    if (!std::isfinite(value)) {
      fail_at(first, fmt::format("feature {} is not a finite number (NaN and infinity are not "
                                 "allowed)",
                                 quoted(field)));
    }
    if (value < T{0} || value > T{1}) {
      if (data_.features_outside_unit_range++ == 0) {
        data_.first_outside_unit_range = {line_, static_cast<std::size_t>(first - line_start_) + 1};
      }
    }
    return value;
  }

  std::string_view text_;
  const std::string& file_name_;
  std::size_t classes_;
  std::size_t line_ = 0;
  const char* line_start_ = nullptr;
  labeled_data<T> data_;
};

}  // namespace

template <class T>
labeled_data<T> parse_labeled_csv(std::string_view text, const std::string& file_name,
                                  std::size_t classes) {
  return csv_parser<T>(text, file_name, classes).parse();
}

template labeled_data<float> parse_labeled_csv<float>(std::string_view, const std::string&,
                                                      std::size_t);
template labeled_data<double> parse_labeled_csv<double>(std::string_view, const std::string&,
                                                        std::size_t);

}  // namespace host_tools

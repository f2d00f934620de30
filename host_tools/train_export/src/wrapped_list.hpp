// Long lists in generated files (headers, model files): items wrapped before the project's
// column limit, so the files read and diff like hand-written ones.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace train_export {

/// Appends items separated by ", " (each followed by a comma, as C++ initialisers may be),
/// or by " " after items that carry their own commas (JSON arrays), wrapped before `limit`
/// columns, each line starting with `indent`.
class wrapped_list {
 public:
  static constexpr std::size_t default_limit = 100;  // the project's .clang-format column limit

  explicit wrapped_list(std::string& out, std::string_view indent = "    ",
                        bool comma_after_each = true, std::size_t limit = default_limit)
      : out_(out), indent_(indent), comma_(comma_after_each), limit_(limit) {}

  void add(std::string_view item) {
    const std::size_t width = item.size() + (comma_ ? 1 : 0);
    if (column_ != 0 && column_ + 1 + width > limit_) end_line();
    if (column_ == 0) {
      out_ += indent_;
      column_ = indent_.size();
    } else {
      out_ += ' ';
      ++column_;
    }
    out_ += item;
    if (comma_) out_ += ',';
    column_ += width;
  }
  /// Ends the current line, if one is open.
  void end_line() {
    if (column_ != 0) out_ += '\n';
    column_ = 0;
  }
  /// A comment line of its own, at the list's indent.
  void comment(std::string_view text) {
    end_line();
    out_ += fmt::format("{}// {}\n", indent_, text);
  }

 private:
  std::string& out_;
  std::string_view indent_;
  bool comma_;
  std::size_t limit_;
  std::size_t column_ = 0;
};

}  // namespace train_export

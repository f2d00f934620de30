// Makes user-controlled text (file names, option values) safe to print on one line or to put
// into a C++ comment: nothing in it can end the line, splice the next one or disguise itself.
#pragma once

#include <string>
#include <string_view>

namespace host_tools {

/// `text` with every byte of the following replaced by `\xHH`: C0 controls (newline, carriage
/// return, escape, ...), DEL, bytes that are not valid UTF-8, and the code points that move or
/// split text on a screen: C1 controls, the line and paragraph separators, and the Unicode
/// bidirectional controls. Valid UTF-8 otherwise (é, 漢) is kept as it is.
std::string one_line(std::string_view text);

/// one_line(text) with backslashes doubled, for text inside a C++ `//` comment: then no byte of
/// `text` can end the comment, continue it onto the next line, or hide a change of direction.
std::string comment_text(std::string_view text);

}  // namespace host_tools

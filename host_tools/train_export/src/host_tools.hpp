// train_export is built on the pieces every host tool shares (host_tools/common): reading
// CSV and input files, all-or-nothing outputs, signals, number formats, errors and exit
// codes, and the model description that both tools train from.
// Its own code names them as its own.
#pragma once

#include "atomic_output.hpp"
#include "csv_reader.hpp"
#include "display_text.hpp"
#include "error.hpp"
#include "input_file.hpp"
#include "labeled_data.hpp"
#include "model_description.hpp"
#include "number_format.hpp"
#include "termination.hpp"

namespace train_export {
using namespace host_tools;
}  // namespace train_export

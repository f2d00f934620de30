// Test helper: the figures the reference published for its small-data job (reference-task.md).
#pragma once

#include <array>
#include <cstddef>

namespace constnn_test {

/// smallTrain.csv / smallValidation.csv, 4 hidden units, ZERO init, lr 0.1: the mean
/// cross-entropy after each of 5 epochs (the 2-epoch run prints the first two).
inline constexpr std::array<double, 5> reference_train_cross_entropy{
    2.18506276114, 1.90103257727, 1.8066109847, 1.75713392877, 1.72508257456};
inline constexpr std::array<double, 5> reference_validation_cross_entropy{
    2.18827302588, 1.91363803461, 1.8286100067, 1.78588295296, 1.75834415284};

/// The first four validation predictions after 2 epochs.
inline constexpr std::array<std::size_t, 4> reference_first_validation_predictions{6, 4, 8, 8};

}  // namespace constnn_test

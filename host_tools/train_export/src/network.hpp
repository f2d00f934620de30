// The reference network's own type: the default description trains with it, at the
// reference job's speed (any other stack runs as stack_network.hpp's layers).
#pragma once

#include <constnn/constnn.hpp>

namespace train_export {

/// FEATURES -> dense(HIDDEN) -> sigmoid -> dense(CLASSES) -> softmax + cross-entropy, with
/// every width chosen at run time; constructed from the widths {features, hidden, classes}.
/// Its parameters and bits are those of fixed_network_type(default_description(...)).
template <class T>
using runtime_network =
    constnn::sequential<T, constnn::dense<constnn::dynamic, constnn::dynamic>, constnn::sigmoid,
                        constnn::dense<constnn::dynamic, constnn::dynamic>, constnn::softmax_xent>;

}  // namespace train_export

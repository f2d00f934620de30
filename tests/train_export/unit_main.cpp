// Entry point of train_export's unit tests: one suite per unit of host_tools/train_export/src.
#define BOOST_TEST_MODULE train_export_units
#include <boost/test/unit_test.hpp>

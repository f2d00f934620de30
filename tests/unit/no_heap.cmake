# The no-heap test (included from tests/unit/CMakeLists.txt): counting replacements of every
# global operator new around the reference network's forward, loss, training and gradient calls.
add_executable(no_heap_test "${CMAKE_CURRENT_LIST_DIR}/no_heap_test.cpp")
target_link_libraries(no_heap_test PRIVATE Boost::unit_test_framework constnn::constnn constnn_warnings)
add_test(NAME no_heap_test COMMAND no_heap_test --log_level=test_suite --report_level=short)

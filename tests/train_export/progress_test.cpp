// Unit tests of progress.hpp: what each mode prints for the same epochs.
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>

#include "progress.hpp"

using namespace train_export;

namespace {

// Reports two epochs of a 3-epoch run in `mode` and returns what was printed.
std::string printed(progress_mode mode) {
  std::FILE* f = std::tmpfile();
  BOOST_TEST_REQUIRE(f != nullptr);
  progress_reporter p(mode, f, 3, 1000);
  p.epoch_done({1, 2.5, 2.75, 0.5}, 0.5);
  p.epoch_done({2, 1.25, 1.5, 0.5}, 1.0);
  p.finished({0.125, 0.25, 125, 50}, 1.5);
  std::rewind(f);
  std::string text;
  for (int c; (c = std::fgetc(f)) != EOF;) text += static_cast<char>(c);
  std::fclose(f);
  return text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(progress)

BOOST_AUTO_TEST_CASE(plain_mode_prints_one_line_per_epoch_and_a_summary) {
  BOOST_TEST(printed(progress_mode::plain) ==
             "epoch 1/3  cross-entropy train 2.500000 validation 2.750000  2000 examples/s  "
             "1.0 s left\n"
             "epoch 2/3  cross-entropy train 1.250000 validation 1.500000  2000 examples/s  "
             "0.5 s left\n"
             "done in 1.5 s: train error 0.125 (125 of 1000 wrong), validation error 0.25 (50 "
             "wrong)\n");
}

BOOST_AUTO_TEST_CASE(live_mode_rewrites_one_line) {
  const std::string text = printed(progress_mode::live);
  BOOST_TEST(text.starts_with("\repoch 1/3  cross-entropy train 2.500000"));
  BOOST_TEST(text.find("\x1b[K\repoch 2/3") != std::string::npos);
  BOOST_TEST(text.find("\x1b[K\ndone in 1.5 s") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(quiet_mode_prints_nothing) {
  BOOST_TEST(printed(progress_mode::quiet).empty());
}

BOOST_AUTO_TEST_CASE(a_file_is_not_a_terminal) {
  std::FILE* f = std::tmpfile();
  BOOST_TEST((choose_progress_mode(false, f) == progress_mode::plain));
  BOOST_TEST((choose_progress_mode(true, f) == progress_mode::quiet));
  std::fclose(f);
}

BOOST_AUTO_TEST_SUITE_END()

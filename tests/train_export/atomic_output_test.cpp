// Unit tests of atomic_output.hpp: nothing appears until commit, and abandoning leaves no trace.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include "atomic_output.hpp"
#include "error.hpp"
#include "tool_harness.hpp"

using train_export::output_transaction;
using train_export_test::read_file;
using train_export_test::scratch_dir;
using train_export_test::write_file;

BOOST_AUTO_TEST_SUITE(atomic_output)

BOOST_AUTO_TEST_CASE(outputs_appear_only_at_commit) {
  scratch_dir dir;
  write_file(dir / "b.txt", "old");
  output_transaction t;
  const auto a = t.reserve(dir / "a.txt");
  const auto b = t.reserve(dir / "b.txt");
  t.write(a, "new a\n");
  t.write(b, "new b\n");
  BOOST_TEST(!std::filesystem::exists(dir / "a.txt"));
  BOOST_TEST(read_file(dir / "b.txt") == "old");
  t.commit();
  BOOST_TEST(read_file(dir / "a.txt") == "new a\n");
  BOOST_TEST(read_file(dir / "b.txt") == "new b\n");
  BOOST_TEST(dir.entries().size() == 2u, "temporary files remain");
}

BOOST_AUTO_TEST_CASE(an_uncommitted_transaction_leaves_everything_as_it_was) {
  scratch_dir dir;
  write_file(dir / "b.txt", "old");
  {
    output_transaction t;
    t.write(t.reserve(dir / "a.txt"), "new a\n");
    t.reserve(dir / "b.txt");
  }
  BOOST_TEST(!std::filesystem::exists(dir / "a.txt"));
  BOOST_TEST(read_file(dir / "b.txt") == "old");
  BOOST_TEST(dir.entries().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_bad_path_fails_at_reserve_with_an_io_error) {
  scratch_dir dir;
  output_transaction t;
  try {
    t.reserve(dir / "missing" / "a.txt");
    BOOST_TEST_FAIL("no error");
  } catch (const train_export::tool_error& e) {
    BOOST_TEST((e.kind() == train_export::failure_kind::io));
    BOOST_TEST(std::string(e.what()).ends_with("a.txt: cannot write: No such file or directory"));
  }
}

BOOST_AUTO_TEST_CASE(outputs_get_the_usual_permissions_not_mkstemps_private_ones) {
  scratch_dir dir;
  output_transaction t;
  t.write(t.reserve(dir / "a.txt"), "x");
  t.commit();
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st {};
  ::stat((dir / "a.txt").c_str(), &st);
  BOOST_TEST((st.st_mode & 0777) == (0666 & ~mask));
}

BOOST_AUTO_TEST_SUITE_END()

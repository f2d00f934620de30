// Unit tests of atomic_output.hpp: nothing appears until commit, and abandoning leaves no trace.
#include <boost/test/unit_test.hpp>

#include <stdio.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>

#include "atomic_output.hpp"
#include "error.hpp"
#include "tool_harness.hpp"

using host_tools::output_transaction;
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
  } catch (const host_tools::tool_error& e) {
    BOOST_TEST((e.kind() == host_tools::failure_kind::io));
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

namespace {

// The real renameat2, except that the rename onto a target whose name ends with `failing`
// fails with `error`: a failure in the middle of a commit, which no file system offers on cue.
output_transaction::rename_function failing_for(std::string failing, int error) {
  return [failing = std::move(failing), error](const char* from, const char* to, unsigned flags) {
    if (std::string_view(to).ends_with(failing)) {
      errno = error;
      return -1;
    }
    return ::renameat2(AT_FDCWD, from, AT_FDCWD, to, flags);
  };
}

std::string commit_error(output_transaction& t) {
  try {
    t.commit();
  } catch (const host_tools::tool_error& e) {
    BOOST_TEST((e.kind() == host_tools::failure_kind::io));
    return e.what();
  }
  return "no error";
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_rename_failing_mid_commit_restores_the_outputs_already_renamed) {
  scratch_dir dir;
  write_file(dir / "a.txt", "old a");
  write_file(dir / "c.txt", "old c");
  output_transaction t(failing_for("c.txt", EPERM));
  // a replaces a file, b is new, c fails: both kinds must be undone.
  for (const char* name : {"a.txt", "b.txt", "c.txt"}) {
    t.write(t.reserve(dir / name), std::string("new ") + name);
  }
  const std::string error = commit_error(t);
  BOOST_TEST(error.ends_with("c.txt: cannot write: Operation not permitted; no output was changed"),
             error);
  BOOST_TEST(read_file(dir / "a.txt") == "old a");
  BOOST_TEST(!std::filesystem::exists(dir / "b.txt"));
  BOOST_TEST(read_file(dir / "c.txt") == "old c");
  BOOST_TEST(dir.entries().size() == 2u, "temporary files remain");
}

BOOST_AUTO_TEST_CASE(without_rename_exchange_a_plain_rename_still_commits) {
  scratch_dir dir;
  write_file(dir / "a.txt", "old a");
  output_transaction t([](const char* from, const char* to, unsigned flags) {
    if (flags != 0) {
      errno = EINVAL;  // as on a file system without renameat2 flags
      return -1;
    }
    return ::renameat2(AT_FDCWD, from, AT_FDCWD, to, 0);
  });
  t.write(t.reserve(dir / "a.txt"), "new a");
  t.write(t.reserve(dir / "b.txt"), "new b");
  t.commit();
  BOOST_TEST(read_file(dir / "a.txt") == "new a");
  BOOST_TEST(read_file(dir / "b.txt") == "new b");
  BOOST_TEST(dir.entries().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_target_that_became_a_directory_fails_the_commit_before_any_rename) {
  scratch_dir dir;
  output_transaction t;
  t.write(t.reserve(dir / "a.txt"), "new a");
  t.write(t.reserve(dir / "b.txt"), "new b");
  std::filesystem::create_directory(dir / "b.txt");
  const std::string error = commit_error(t);
  BOOST_TEST(error.ends_with("b.txt: cannot write: it became a directory during the run; refusing "
                             "to replace it"),
             error);
  BOOST_TEST(!std::filesystem::exists(dir / "a.txt"));
  BOOST_TEST(dir.entries().size() == 1u, "temporary files remain");
}

BOOST_AUTO_TEST_CASE(a_replaced_output_keeps_its_permissions) {
  scratch_dir dir;
  write_file(dir / "a.txt", "old");
  std::filesystem::permissions(dir / "a.txt", std::filesystem::perms(0640));
  output_transaction t;
  t.write(t.reserve(dir / "a.txt"), "new");
  t.commit();
  struct stat st {};
  ::stat((dir / "a.txt").c_str(), &st);
  BOOST_TEST((st.st_mode & 0777) == 0640u);
}

BOOST_AUTO_TEST_CASE(temporary_names_do_not_grow_with_the_target_name) {
  scratch_dir dir;
  output_transaction t;
  const std::string longest(255, 'a');
  t.reserve(dir / longest);
  for (const std::string& name : dir.entries()) {
    if (name != longest) BOOST_TEST(name.size() < 24u, name);
  }
}

BOOST_AUTO_TEST_CASE(a_fifo_is_written_through_and_a_file_is_not) {
  scratch_dir dir;
  BOOST_TEST_REQUIRE(::mkfifo((dir / "f").c_str(), 0600) == 0);
  output_transaction t;
  BOOST_TEST(t.writes_through(t.reserve(dir / "f")));
  BOOST_TEST(!t.writes_through(t.reserve(dir / "a.txt")));
}

BOOST_AUTO_TEST_SUITE_END()

// constnn_experiments --shard K/N and --merge: shards merged back are the unsharded session
// but for timings and the session block, and every way shards can fail to make up a grid is
// refused with one line, exit status 3 and nothing written.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "error.hpp"
#include "results_io.hpp"
#include "shard.hpp"
#include "support.hpp"

using namespace experiments;
using namespace experiments_test;
using json = nlohmann::json;

namespace {

// Nine runs of every kind results.json records: MLPs of one and two hidden layers, the
// symmetry figures and first layer, Adam with batches, shuffling and a schedule, a double
// precision run with Nesterov momentum and weight decay, and a named CNN on a second data set,
// once mirrored.
std::string nine_runs(const std::string& seeds = "[0, 1]") {
  return grid_text(R"([
    {"name": "mlp", "vary": {"hidden": [3, [4, 3]], "seed": )" + seeds + R"(}},
    {"name": "sym", "set": {"init": "zero", "track_symmetry": true, "keep_first_layer": true}},
    {"name": "opt", "variants": [
      {"optimizer": "adam", "lr": "0.01", "batch": 4, "shuffle": true, "lr_schedule": "cosine"},
      {"precision": "double", "optimizer": "nesterov", "momentum": 0.5, "weight_decay": 0.001,
       "lr_schedule": "step:2:0.5"}]},
    {"name": "cnn", "set": {"dataset": "images", "network": "tiny", "init": "he", "lr": "0.02"},
     "variants": [{}, {"augment": "hflip", "optimizer": "adamw", "batch": 4, "lr_decay": 0.1}]}])",
                   R"("tiny": {"input_shape": "16x8x1", "description": "one conv block",
                               "layers": "conv2d:4:3x3:same,relu,maxpool:2x2,dense:10"})");
}

struct grid_files {
  scratch s;
  fs::path grid;
  grid_files() : grid(s.write("grid.json", nine_runs())) {
    generated_dataset(s);
    generated_images(s);
  }
  std::string data() const { return fmt::format(" --data {}", shell_word("dir=" + s.dir.string())); }
  // Trains the grid (or one shard of it) into s.dir / out.
  fs::path train(const std::string& out, const std::string& shard = "",
                 const fs::path& grid_file = {}) const {
    const fs::path dir = s.dir / out;
    const tool_run r =
        run_tool(s, fmt::format("--grid {}{} --out {} --jobs 2{}",
                                shell_word(grid_file.empty() ? grid : grid_file), data(),
                                shell_word(dir), shard.empty() ? "" : " --shard " + shard));
    BOOST_TEST_REQUIRE(r.status == 0, r.errors);
    return dir;
  }
  tool_run merge(const std::vector<fs::path>& shards, const std::string& out) const {
    std::string args = "--merge";
    for (const auto& d : shards) args += fmt::format(" {}", shell_word(d));
    return run_tool(s, fmt::format("{} --out {}", args, shell_word(s.dir / out)));
  }
};

// A CSV table without the given columns (0-based), which hold timings.
std::string without_columns(const std::string& csv, std::vector<std::size_t> drop) {
  std::string out;
  std::size_t start = 0;
  while (start < csv.size()) {
    const std::size_t end = csv.find('\n', start);
    const std::string line = csv.substr(start, end - start);
    std::size_t column = 0, from = 0;
    std::string kept;
    for (;;) {
      const std::size_t comma = line.find(',', from);
      if (std::ranges::find(drop, column) == drop.end())
        kept += line.substr(from, comma == std::string::npos ? comma : comma - from) + ",";
      if (comma == std::string::npos) break;
      from = comma + 1;
      ++column;
    }
    out += kept + "\n";
    start = end == std::string::npos ? csv.size() : end + 1;
  }
  return out;
}

// results.json without the session and the timings.
json untimed(const fs::path& folder) {
  json doc = json::parse(read_text(folder / "results.json"));
  doc.erase("session");
  for (auto& run : doc["runs"]) {
    run.erase("wall_seconds");
    run["per_epoch"].erase("seconds");
    run["per_epoch"].erase("train_seconds");
    if (run.contains("int8")) run["int8"].erase("seconds");
  }
  return doc;
}

void require_same_as_unsharded(const fs::path& whole, const fs::path& merged) {
  const json a = untimed(whole), b = untimed(merged);
  BOOST_TEST(a == b);
  BOOST_TEST(!b.contains("shard"));
  // runs.csv: wall_seconds is column 16; epochs.csv: seconds is column 6.
  BOOST_TEST(without_columns(read_text(whole / "runs.csv"), {16}) ==
             without_columns(read_text(merged / "runs.csv"), {16}));
  BOOST_TEST(without_columns(read_text(whole / "epochs.csv"), {6}) ==
             without_columns(read_text(merged / "epochs.csv"), {6}));
}

// The merge must fail with status 3, one line holding `needle`, and write nothing.
void require_refused(const grid_files& f, const std::vector<fs::path>& shards,
                     const std::string& needle) {
  const tool_run r = f.merge(shards, "refused");
  BOOST_TEST(r.status == 3, r.errors);
  BOOST_TEST(r.errors.find(needle) != std::string::npos, r.errors);
  BOOST_TEST(r.errors.starts_with("constnn_experiments: "), r.errors);
  BOOST_TEST(r.errors.find('\n') == r.errors.size() - 1, r.errors);
  BOOST_TEST(!fs::exists(f.s.dir / "refused"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(shard_numbers_are_whole_and_in_range) {
  for (const char* good : {"1/1", "2/4", "4/4", "100000/100000"}) BOOST_TEST(parse_shard(good).count > 0u);
  BOOST_TEST(parse_shard("3/7").index == 3u);
  BOOST_TEST(parse_shard("3/7").count == 7u);
  for (const char* bad : {"0/4", "5/4", "a/4", "2", "2/", "/4", "2/4/1", " 2/4", "+2/4", "2/0",
                          "2/4 ", "-1/4", "1/100001", "", "1e1/20"}) {
    try {
      parse_shard(bad);
      BOOST_ERROR("no error for --shard " << bad);
    } catch (const host_tools::tool_error& e) {
      BOOST_TEST(std::string(e.what()).starts_with("--shard: expected K/N"), e.what());
      BOOST_TEST((e.kind() == host_tools::failure_kind::usage));
    }
  }
  BOOST_TEST(runs_of_shard(7, {2, 3}) == (std::vector<std::size_t>{1, 4}),
             boost::test_tools::per_element());
  BOOST_TEST(runs_of_shard(7, {1, 3}) == (std::vector<std::size_t>{0, 3, 6}),
             boost::test_tools::per_element());
  BOOST_TEST(runs_of_shard(2, {3, 3}).empty());

  // From the command line: status 2, the option named, nothing written.
  scratch s;
  const tool_run r = run_tool(s, fmt::format("--grid {} --out {} --shard 3/2",
                                             shell_word(s.write("g.json", grid_text("[]"))),
                                             shell_word(s.dir / "out")));
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.errors == "constnn_experiments: --shard: expected K/N, whole numbers with 1 <= K "
                         "<= N <= 100000 (like 2/4), not \"3/2\"\n");
  BOOST_TEST(!fs::exists(s.dir / "out"));
}

BOOST_AUTO_TEST_CASE(shards_merged_are_the_unsharded_session_but_for_timings) {
  grid_files f;
  const fs::path whole = f.train("whole");
  const json doc = json::parse(read_text(whole / "results.json"));
  BOOST_TEST_REQUIRE(doc["runs"].size() == 9u);
  BOOST_TEST(!doc.contains("shard"));

  // A shard records which part of which grid it holds.
  const fs::path one = f.train("s2-1", "1/2");
  const fs::path two = f.train("s2-2", "2/2");
  const json first = json::parse(read_text(one / "results.json"));
  BOOST_TEST(first["shard"]["index"] == 1);
  BOOST_TEST(first["shard"]["count"] == 2);
  BOOST_TEST_REQUIRE(first["shard"]["grid_runs"].size() == 9u);
  for (std::size_t i = 0; i < 9; ++i) BOOST_TEST(first["shard"]["grid_runs"][i] == doc["runs"][i]["key"]);
  BOOST_TEST(first["shard"]["grid_datasets"].size() == 2u);
  BOOST_TEST_REQUIRE(first["runs"].size() == 5u);  // runs 1, 3, 5, 7, 9
  BOOST_TEST(first["runs"][1]["key"] == doc["runs"][2]["key"]);
  BOOST_TEST(first["experiments"] == doc["experiments"]);

  const tool_run m2 = f.merge({two, one}, "merged2");
  BOOST_TEST_REQUIRE(m2.status == 0, m2.errors);
  require_same_as_unsharded(whole, f.s.dir / "merged2");
  const json merged = json::parse(read_text(f.s.dir / "merged2" / "results.json"));
  BOOST_TEST_REQUIRE(merged["session"]["merged_from"].size() == 2u);
  BOOST_TEST(merged["session"]["merged_from"][0]["shard"]["index"] == 1);
  BOOST_TEST(merged["session"]["merged_from"][0]["folder"] == one.string());
  BOOST_TEST(merged["session"]["jobs"] == 4);  // what the report reads is still there
  BOOST_TEST(merged["session"].contains("total_seconds"));

  // Three shards, given in any order; and more shards than runs, some of them empty.
  std::vector<fs::path> three;
  for (const char* k : {"3", "1", "2"}) three.push_back(f.train(std::string("s3-") + k, std::string(k) + "/3"));
  BOOST_TEST_REQUIRE(f.merge(three, "merged3").status == 0);
  require_same_as_unsharded(whole, f.s.dir / "merged3");
  std::vector<fs::path> eleven;
  for (int k = 1; k <= 11; ++k)
    eleven.push_back(f.train(fmt::format("s11-{}", k), fmt::format("{}/11", k)));
  BOOST_TEST(json::parse(read_text(eleven[10] / "results.json"))["runs"].empty());
  BOOST_TEST_REQUIRE(f.merge(eleven, "merged11").status == 0);
  require_same_as_unsharded(whole, f.s.dir / "merged11");

  // What the reader rebuilds, the writers write again to the byte, timings and all.
  const results_document back = read_results(read_text(whole / "results.json"), "whole");
  BOOST_TEST(runs_csv(back.runs) == read_text(whole / "runs.csv"));
  BOOST_TEST(epochs_csv(back.runs) == read_text(whole / "epochs.csv"));
  session_info session;
  BOOST_TEST(json::parse(results_json(session, back.datasets, back.experiments, back.runs))["runs"] ==
             doc["runs"]);
}

BOOST_AUTO_TEST_CASE(shards_that_do_not_make_up_one_grid_are_refused) {
  grid_files f;
  const fs::path one = f.train("one", "1/3");
  const fs::path two = f.train("two", "2/3");
  const fs::path three = f.train("three", "3/3");
  const std::string key1 = "gen_h3_sigmoid_random_lr0.1_e3_s0_float";

  // A missing shard: its runs, by key, and the shard that would hold them.
  require_refused(f, {one, three},
                  "3 of the grid's 9 runs are in none of the shards given: "
                  "gen_h3_sigmoid_random_lr0.1_e3_s1_float, gen_h4_sigmoid_zero_lr0.1_e3_s0_float, "
                  "images_tiny_he_lr0.02_e3_s0_float (shards not given: 2/3)");
  // A shard given twice: a run, and both folders.
  require_refused(f, {one, two, three, one},
                  "run " + key1 + " is in both " + (one / "results.json").string() + " (shard 1/3) and " +
                      (one / "results.json").string() + " (shard 1/3)");
  // Shards of different grids: another seed list changes the run keys.
  const fs::path other_grid = f.s.write("other.json", nine_runs("[0, 2]"));
  const fs::path other = f.train("other", "2/3", other_grid);
  require_refused(f, {one, other, three},
                  (one / "results.json").string() + " and " + (other / "results.json").string() +
                      " are shards of different grids: their grids' run lists differ at run 2 "
                      "(gen_h3_sigmoid_random_lr0.1_e3_s1_float against "
                      "gen_h3_sigmoid_random_lr0.1_e3_s2_float)");
  // ... or another shard count.
  const fs::path half = f.train("half", "2/2");
  require_refused(f, {one, half}, "are shards of different grids: one is shard 1/3, the other 2/2");
  // Not a shard at all.
  const fs::path whole = f.train("whole");
  require_refused(f, {whole}, (whole / "results.json").string() +
                                  ": not the results of a shard (no \"shard\" block)");
  // No results.json.
  require_refused(f, {one, two, f.s.dir / "nowhere"},
                  (f.s.dir / "nowhere" / "results.json").string() + ": no such file");

  // Malformed results.json: not JSON, a field missing, a run whose key is not its settings.
  const std::string good = read_text(two / "results.json");
  fs::create_directories(f.s.dir / "bad");
  const auto bad = [&](const std::string& text) {
    std::ofstream(f.s.dir / "bad" / "results.json", std::ios::binary) << text;
    return f.s.dir / "bad";
  };
  const std::string bad_name = (f.s.dir / "bad" / "results.json").string();
  require_refused(f, {one, bad(good.substr(0, good.size() / 2)), three},
                  bad_name + ": not a results.json as constnn_experiments writes it: "
                             "[json.exception.parse_error");
  json doc = json::parse(good);
  doc["runs"][0]["per_epoch"].erase("validation_error");
  require_refused(f, {one, bad(doc.dump()), three},
                  bad_name + ": runs[0]: not a run as constnn_experiments writes it: "
                             "[json.exception.out_of_range.403] key 'validation_error' not found");
  doc = json::parse(good);
  doc["runs"][0]["hyperparameters"]["seed"] = 7;
  require_refused(f, {one, bad(doc.dump()), three},
                  bad_name + ": runs[0] (" + doc["runs"][0]["key"].get<std::string>() +
                      "): the hyperparameters are those of run gen_h3_sigmoid_random_lr0.1_e3_s7_float");
  doc = json::parse(good);
  doc["runs"][0]["hyperparameters"]["layers"] = "dense:0";
  require_refused(f, {one, bad(doc.dump()), three}, bad_name + ": runs[0] (");
  doc = json::parse(good);
  doc["tool"]["name"] = "train_export";
  require_refused(f, {one, bad(doc.dump()), three}, bad_name + ": not a results.json of constnn_experiments");
  doc = json::parse(good);
  doc["runs"].push_back(json::parse(read_text(one / "results.json"))["runs"][0]);
  require_refused(f, {one, bad(doc.dump()), three},
                  bad_name + ": run " + key1 + " is the grid's run 1, which shard 1/3 holds, not shard 2/3");

  // The three shards as they are merge.
  BOOST_TEST(f.merge({one, two, three}, "fine").status == 0);

  // --merge with options that choose runs is a usage error; so is --out on a shard's folder.
  tool_run r = run_tool(f.s, fmt::format("--merge {} --shard 1/2 --out {}", shell_word(one),
                                         shell_word(f.s.dir / "x")));
  BOOST_TEST(r.status == 2, r.errors);
  r = run_tool(f.s, fmt::format("--merge {} {} {} --out {}", shell_word(one), shell_word(two),
                                 shell_word(three), shell_word(two)));
  BOOST_TEST(r.status == 2, r.errors);
  BOOST_TEST(r.errors.find("--out " + two.string() + " is one of the shards") != std::string::npos,
             r.errors);
  BOOST_TEST(json::parse(read_text(two / "results.json")).contains("shard"));
}

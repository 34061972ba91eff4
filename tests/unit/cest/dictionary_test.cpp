#include "oncotrack/cest/dictionary.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "oncotrack/cest/simulate.h"
#include "oncotrack/core/error.h"

namespace oncotrack::cest {
namespace {

using nlohmann::json;

ParameterGrid small_grid() {
  return ParameterGrid::parse(json::parse(R"({
    "water": {"t1_s": [1.5, 2.5], "t2_s": 0.8},
    "cest": [{"name": "amine", "shift_ppm": 3.0, "exchange_rate_per_s": [200, 600, 1000],
              "concentration_mm": [20, 80], "protons": 3, "t1_s": 2.8, "t2_s": 0.04}],
    "b1_scale": [0.9, 1.0]
  })"),
                              "grid");
}

Schedule small_schedule() {
  return parse_schedule(json::parse(R"({"b0_tesla": 9.4, "saturation": "continuous_wave", "tsat_s": 1.0,
    "tr_s": 1.5, "offset_ppm": 3.0, "b1_ut": [0.5, 2.0, 4.0, 1.0, 0.0, 3.0]})"),
                        "schedule");
}

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("oncotrack_dict_" + std::to_string(::getpid()) + name);
}

TEST(Dictionary, EveryEntryIsTheSimulationOfItsGridTissue) {
  const ParameterGrid g = small_grid();
  const Schedule s = small_schedule();
  std::vector<std::int64_t> seen;
  const Dictionary d =
      simulate_dictionary(g, s, 2, [&](std::int64_t done, std::int64_t) { seen.push_back(done); });
  ASSERT_EQ(d.entries(), 24);
  ASSERT_EQ(d.images(), 6);
  EXPECT_EQ(seen.back(), 24);
  for (std::int64_t i : {0, 7, 23}) {
    const std::vector<double> v = g.values(i);
    const std::vector<double> want = simulate_signal(g.tissue(v), scanner_for(s, 0.0, g.b1_scale(v)), s);
    for (std::int64_t t = 0; t < 6; ++t)
      EXPECT_FLOAT_EQ(d.signals.data()[i * 6 + t], static_cast<float>(want[t]));
    EXPECT_FLOAT_EQ(
        d.parameters.data()[i * d.parameter_names.size() + d.parameter_index("amine.exchange_rate_per_s")],
        static_cast<float>(v[3]));
  }
  // The thread count does not change a bit.
  const Dictionary one = simulate_dictionary(g, s, 1);
  EXPECT_TRUE(std::equal(one.signals.begin(), one.signals.end(), d.signals.begin()));
}

TEST(Dictionary, RoundTripsThroughItsFileAndRefusesOtherFiles) {
  const Dictionary d = simulate_dictionary(small_grid(), small_schedule(), 1);
  const std::filesystem::path p = temp_file("a.safetensors");
  write_dictionary(p, d);
  const Dictionary r = read_dictionary(p);
  EXPECT_EQ(r.parameter_names, d.parameter_names);
  EXPECT_TRUE(std::equal(r.signals.begin(), r.signals.end(), d.signals.begin()));
  EXPECT_TRUE(std::equal(r.parameters.begin(), r.parameters.end(), d.parameters.begin()));
  EXPECT_EQ(schedule_to_json(r.schedule), schedule_to_json(d.schedule));
  EXPECT_EQ(r.grid, d.grid);
  EXPECT_THROW(r.parameter_index("nope"), Error);

  const std::filesystem::path bad = temp_file("b.safetensors");
  std::ofstream(bad) << "not a dictionary";
  try {
    read_dictionary(bad);
    ADD_FAILURE() << "accepted garbage";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
  }
  std::filesystem::remove(p);
  std::filesystem::remove(bad);
}

}  // namespace
}  // namespace oncotrack::cest

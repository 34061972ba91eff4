#include "oncotrack/cest/grid.h"

#include <gtest/gtest.h>

#include "oncotrack/core/error.h"

namespace oncotrack::cest {
namespace {

using nlohmann::json;

json arginine_grid() {
  return json::parse(R"({
    "water": {"t1_s": {"from": 2.5, "to": 3.3, "step": 0.4}, "t2_s": [0.6, 1.2]},
    "cest": [{"name": "arginine", "shift_ppm": 3.0, "exchange_rate_per_s": {"from": 100, "to": 1400, "step": 650},
              "concentration_mm": [10, 120], "protons": 3, "t1_s": 2.8, "t2_s": 0.04}],
    "mt": {"shift_ppm": -2.5, "exchange_rate_per_s": 30, "fraction": 0.1, "t1_s": "water", "t2_s": 1e-5}
  })");
}

TEST(ParameterGrid, EnumeratesTheCartesianProductFirstAxisSlowest) {
  const ParameterGrid g = ParameterGrid::parse(arginine_grid(), "g.json");
  ASSERT_EQ(g.size(), 3 * 2 * 3 * 2);
  std::vector<std::string> names;
  for (const GridAxis& a : g.axes()) names.push_back(a.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "water.t1_s", "water.t2_s", "arginine.shift_ppm", "arginine.exchange_rate_per_s",
                       "arginine.concentration_mm", "arginine.t1_s", "arginine.t2_s", "mt.shift_ppm",
                       "mt.exchange_rate_per_s", "mt.fraction", "mt.t2_s", "b0_shift_ppm", "b1_scale"}));
  EXPECT_DOUBLE_EQ(g.axes()[0].values[2], 3.3);  // the end of a range is included
  const std::vector<double> last = g.values(g.size() - 1);
  EXPECT_DOUBLE_EQ(last[0], 3.3);
  EXPECT_DOUBLE_EQ(last[4], 120.0);
  const std::vector<double> v = g.values(9);  // t1 index 0, t2 index 1, k index 1, c index 1
  EXPECT_DOUBLE_EQ(v[0], 2.5);
  EXPECT_DOUBLE_EQ(v[1], 1.2);
  EXPECT_DOUBLE_EQ(v[3], 750.0);
  EXPECT_DOUBLE_EQ(v[4], 120.0);
  const Tissue t = g.tissue(v);
  EXPECT_DOUBLE_EQ(t.cest[0].fraction, 120.0 * 3 / 110000.0);
  ASSERT_TRUE(t.mt.has_value());
  EXPECT_DOUBLE_EQ(t.mt->t1_s, 2.5);  // tied to the water T1
  EXPECT_EQ(t.mt->lineshape, Lineshape::kSuperLorentzian);
  EXPECT_DOUBLE_EQ(g.b1_scale(v), 1.0);
}

TEST(ParameterGrid, RefusesBadGridsNamingTheKey) {
  auto refused = [](json d, const std::string& part) {
    try {
      ParameterGrid::parse(d, "g.json");
      ADD_FAILURE() << "accepted " << d.dump();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("g.json"), std::string::npos) << e.what();
    }
  };
  json d = arginine_grid();
  d["water"]["t1_s"] = {{"from", 3}, {"to", 2}, {"step", 0.1}};
  refused(d, "water.t1_s");
  d = arginine_grid();
  d["water"]["t2_s"] = {0.5, -1};
  refused(d, "water.t2_s");
  d = arginine_grid();
  d["cest"][0].erase("protons");
  refused(d, "arginine.protons");
  d = arginine_grid();
  d["cest"][0]["name"] = "mt";
  refused(d, "grid.cest[].name");
  d = arginine_grid();
  d["mt"]["lineshape"] = "gaussian";
  refused(d, "mt.lineshape");
  d = arginine_grid();
  d["mt"]["t1_s"] = "fat";
  refused(d, "mt.t1_s");
  d = arginine_grid();
  d["water"]["pd"] = 1;
  refused(d, "grid.water.pd");
  d = arginine_grid();
  d["water"]["t1_s"] = {{"from", 0.1}, {"to", 10}, {"step", 1e-7}};
  refused(d, "at most 1e7 values");
  d = arginine_grid();
  d["b1_scale"] = {{"from", 0.5}, {"to", 1.5}, {"step", 1e-6}};
  d["water"]["t1_s"] = {{"from", 0.1}, {"to", 10}, {"step", 1e-3}};
  refused(d, "at most 5e8 entries");
}

}  // namespace
}  // namespace oncotrack::cest

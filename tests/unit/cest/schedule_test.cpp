#include "oncotrack/cest/schedule.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "oncotrack/core/error.h"

namespace oncotrack::cest {
namespace {

using nlohmann::json;

json cw() {
  return json{{"b0_tesla", 9.4}, {"saturation", "continuous_wave"}, {"tsat_s", 3}, {"tr_s", 4},
              {"offset_ppm", 3}, {"b1_ut", {1.0, 2.0, 0.0}}};
}

void expect_refused(const json& doc, const std::string& part) {
  try {
    parse_schedule(doc, "sched.json");
    FAIL() << "accepted " << doc.dump();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sched.json"), std::string::npos) << e.what();
  }
}

TEST(Schedule, ScalarsApplyToEveryImage) {
  const Schedule s = parse_schedule(cw(), "x");
  ASSERT_EQ(s.images.size(), 3u);
  EXPECT_DOUBLE_EQ(s.images[1].b1_ut, 2.0);
  EXPECT_DOUBLE_EQ(s.images[2].offset_ppm, 3.0);
  EXPECT_DOUBLE_EQ(s.images[2].tr_s, 4.0);
  EXPECT_DOUBLE_EQ(s.images[0].readout_flip_deg, 90.0);
  EXPECT_TRUE(s.carry_over);
  EXPECT_EQ(s.saturation, Saturation::kContinuousWave);
}

TEST(Schedule, ReadsThePublishedPhantomSchedule) {
  const std::filesystem::path p =
      std::filesystem::path(ONCOTRACK_REAL_DATA_DIR) / "cest_mrf" / "phantom_9p4t" / "schedule.json";
  if (!std::filesystem::exists(p)) GTEST_SKIP() << p << " not present";
  const Schedule s = read_schedule(p);
  ASSERT_EQ(s.images.size(), 30u);
  EXPECT_DOUBLE_EQ(s.b0_tesla, 9.4);
  EXPECT_DOUBLE_EQ(s.images[0].b1_ut, 5.0);
  EXPECT_DOUBLE_EQ(s.images[17].b1_ut, 0.0);
  EXPECT_DOUBLE_EQ(s.images[29].tsat_s, 3.0);
}

TEST(Schedule, RefusesInconsistentOrIncompleteDocuments) {
  json d = cw();
  d["offset_ppm"] = {1, 2};
  expect_refused(d, "arrays differ in length");
  d = cw();
  d.erase("b0_tesla");
  expect_refused(d, "b0_tesla");
  d = cw();
  d["tr_s"] = 2;
  expect_refused(d, "schedule.tr_s (image 1)");
  d = cw();
  d["b1_ut"] = 2;
  expect_refused(d, "no images");
  d = cw();
  d["colour"] = "red";
  expect_refused(d, "unknown config key schedule.colour");
  d = cw();
  d["saturation"] = "pulsed";
  expect_refused(d, "schedule.pulse");
  d["pulse"] = {{"shape", "gaussian"}, {"duration_s", 0.1}, {"interpulse_delay_s", 0.15}};
  expect_refused(d, "does not fill the saturation time");  // 3 s is not n·0.1 + (n−1)·0.15
  d["pulse"]["interpulse_delay_s"] = 0.0;
  d["pulse"]["shape"] = "sinc";
  expect_refused(d, "rectangular or gaussian");
  d = cw();
  d["b1_ut"] = {1.0, "x", 2.0};
  expect_refused(d, "schedule key b1_ut");
}

TEST(Schedule, PulseTrainsAndShapes) {
  json d = cw();
  d["saturation"] = "pulsed";
  d["pulse"] = {{"shape", "gaussian"}, {"duration_s", 0.05}, {"interpulse_delay_s", 0.05}, {"segments", 32}};
  d["tsat_s"] = 2.95;
  const Schedule s = parse_schedule(d, "x");
  EXPECT_EQ(pulse_count(s.pulse, 2.95), 30u);
  const std::vector<double> a = pulse_segments(s.pulse);
  ASSERT_EQ(a.size(), 32u);
  EXPECT_NEAR(std::accumulate(a.begin(), a.end(), 0.0) / 32.0, 1.0, 1e-14);  // B1pa = b1
  EXPECT_GT(a[16], 2.0 * a[4]);
  EXPECT_DOUBLE_EQ(a[0], a[31]);
}

}  // namespace
}  // namespace oncotrack::cest

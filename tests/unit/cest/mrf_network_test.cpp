#include "oncotrack/cest/mrf_network.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "oncotrack/core/error.h"

namespace oncotrack::cest {
namespace {

using nlohmann::json;

Dictionary dictionary() {
  const ParameterGrid g = ParameterGrid::parse(json::parse(R"({
    "water": {"t1_s": 2.8, "t2_s": 0.9},
    "cest": [{"name": "arginine", "shift_ppm": 3.0, "exchange_rate_per_s": {"from": 100, "to": 1400, "step": 50},
              "concentration_mm": {"from": 10, "to": 120, "step": 5}, "protons": 3, "t1_s": 2.8, "t2_s": 0.04}]
  })"),
                                               "grid");
  const Schedule s = parse_schedule(json::parse(R"({"b0_tesla": 9.4, "saturation": "continuous_wave",
    "tsat_s": 3, "tr_s": 4, "offset_ppm": 3,
    "b1_ut": [5.0, 3.0, 3.75, 2.5, 1.75, 5.5, 6.0, 0.25, 4.5, 3.5, 0.0, 4.75, 4.25, 3.25, 5.25, 1.0]})"),
                                    "schedule");
  return simulate_dictionary(g, s, 2);
}

TEST(MrfNetwork, LearnsExchangeRateAndConcentrationAndRoundTripsThroughItsFile) {
  const Dictionary d = dictionary();  // 27 × 23 entries
  MrfTrainingOptions o;
  o.hidden = {64, 64};
  o.epochs = 150;
  o.batch_size = 32;
  o.learning_rate = 3e-3;
  o.noise_sd = 0.0;
  const MrfTrainingResult r = train_mrf_network(d, o);
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(r.outputs[0].name, "arginine.exchange_rate_per_s");
  EXPECT_DOUBLE_EQ(r.outputs[1].max, 120.0);
  const auto path =
      std::filesystem::temp_directory_path() / ("oncotrack_mrfnet_" + std::to_string(::getpid()));
  write_mrf_network(path, r, d, o);
  const MrfNetwork net = MrfNetwork::read(path);
  std::filesystem::remove(path);
  // On the noiseless dictionary, the error is a small part of each parameter's range (NRMSE < 5 %).
  const nn::Tensor p = net.predict(d.signals, {}, 2);
  const std::size_t k_col = d.parameter_index("arginine.exchange_rate_per_s");
  const std::size_t c_col = d.parameter_index("arginine.concentration_mm");
  const auto cols = static_cast<std::size_t>(d.parameters.dim(1));
  double se_k = 0, se_c = 0;
  for (std::int64_t e = 0; e < d.entries(); ++e) {
    const auto i = static_cast<std::size_t>(e);
    se_k += std::pow(p.data()[2 * i] - d.parameters.data()[i * cols + k_col], 2);
    se_c += std::pow(p.data()[2 * i + 1] - d.parameters.data()[i * cols + c_col], 2);
  }
  const double n = static_cast<double>(d.entries());
  EXPECT_LT(std::sqrt(se_k / n) / 1300.0, 0.05);
  EXPECT_LT(std::sqrt(se_c / n) / 110.0, 0.05);
  EXPECT_EQ(schedule_to_json(net.schedule()), schedule_to_json(d.schedule));
}

TEST(MrfNetwork, LearnsWithMeasuredInputsBesideTheFingerprintAndRequiresThem) {
  // Water T1 and the exchange rate both vary; the fingerprint is given with its T1 as a measured input.
  const ParameterGrid g = ParameterGrid::parse(json::parse(R"({
    "water": {"t1_s": {"from": 1.0, "to": 3.0, "step": 0.25}, "t2_s": 0.9},
    "cest": [{"name": "arginine", "shift_ppm": 3.0, "exchange_rate_per_s": {"from": 100, "to": 1400, "step": 100},
              "concentration_mm": 60, "protons": 3, "t1_s": 2.8, "t2_s": 0.04}]
  })"),
                                               "grid");
  const Dictionary d = simulate_dictionary(g, dictionary().schedule, 2);
  MrfTrainingOptions o;
  o.hidden = {64, 64};
  o.epochs = 200;
  o.batch_size = 16;
  o.learning_rate = 3e-3;
  o.noise_sd = 0.0;
  o.inputs = {"water.t1_s"};
  const MrfTrainingResult r = train_mrf_network(d, o);
  ASSERT_EQ(r.outputs.size(), 1u);  // the input is not also an output
  EXPECT_EQ(r.outputs[0].name, "arginine.exchange_rate_per_s");
  EXPECT_EQ(r.hparams.sizes.front(), d.images() + 1);
  const auto path =
      std::filesystem::temp_directory_path() / ("oncotrack_mrfnet_in_" + std::to_string(::getpid()));
  write_mrf_network(path, r, d, o);
  const MrfNetwork net = MrfNetwork::read(path);
  std::filesystem::remove(path);
  ASSERT_EQ(net.inputs().size(), 1u);
  EXPECT_DOUBLE_EQ(net.inputs()[0].min, 1.0);
  EXPECT_DOUBLE_EQ(net.inputs()[0].max, 3.0);
  const auto cols = static_cast<std::size_t>(d.parameters.dim(1));
  const std::size_t t1 = d.parameter_index("water.t1_s"),
                    k = d.parameter_index("arginine.exchange_rate_per_s");
  nn::Tensor known({d.entries(), 1});
  for (std::int64_t e = 0; e < d.entries(); ++e)
    known.data()[e] = d.parameters.data()[static_cast<std::size_t>(e) * cols + t1];
  const nn::Tensor p = net.predict(d.signals, known, 2);
  double se = 0;
  for (std::int64_t e = 0; e < d.entries(); ++e)
    se += std::pow(p.data()[e] - d.parameters.data()[static_cast<std::size_t>(e) * cols + k], 2);
  EXPECT_LT(std::sqrt(se / static_cast<double>(d.entries())) / 1300.0, 0.05);
  EXPECT_THROW(net.predict(d.signals, {}, 1), Error);  // the measured input is missing
  o.outputs = {"water.t1_s"};
  EXPECT_THROW(train_mrf_network(d, o), Error);  // an input cannot also be an output
}

TEST(MrfNetwork, RefusesOutputsThatAreNotLearnableAndFilesThatAreNotNetworks) {
  const Dictionary d = dictionary();
  MrfTrainingOptions o;
  o.epochs = 1;
  o.outputs = {"water.t1_s"};
  EXPECT_THROW(train_mrf_network(d, o), Error);  // does not vary
  o.outputs = {"nope"};
  EXPECT_THROW(train_mrf_network(d, o), Error);
  const auto path = std::filesystem::temp_directory_path() / ("oncotrack_dict_" + std::to_string(::getpid()));
  write_dictionary(path, d);
  try {
    MrfNetwork::read(path);
    ADD_FAILURE() << "a dictionary was read as a network";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace oncotrack::cest

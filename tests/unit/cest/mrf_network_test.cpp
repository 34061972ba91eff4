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
  const nn::Tensor p = net.predict(d.signals, 2);
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

#pragma once
// Fixtures shared by the io tests: a scratch folder per test and small images with oblique geometry.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "oncotrack/core/error.h"
#include "oncotrack/core/geometry.h"

namespace oncotrack::io::testing {

// A fresh empty folder named after the running test, removed afterwards.
class ScratchDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() / ("oncotrack_io_" + std::to_string(::getpid()) + "_" +
                                                     info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

// Rotation by 20° about z then 15° about x: every direction cosine is non-trivial.
inline Mat3 oblique_direction() {
  constexpr double kPi = 3.14159265358979323846;
  const double a = 20 * kPi / 180, b = 15 * kPi / 180;
  const Mat3 rz{{{std::cos(a), -std::sin(a), 0}, {std::sin(a), std::cos(a), 0}, {0, 0, 1}}};
  const Mat3 rx{{{1, 0, 0}, {0, std::cos(b), -std::sin(b)}, {0, std::sin(b), std::cos(b)}}};
  Mat3 r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) r[i][j] += rz[i][k] * rx[k][j];
  return r;
}

inline Geometry oblique_geometry(Size3 size = {5, 6, 7}) {
  Geometry g;
  g.size = size;
  g.spacing_mm = {0.75, 1.25, 3.5};
  g.origin_mm_lps = {-12.5, 30.25, 7.125};
  g.direction = oblique_direction();
  return g;
}

// Distinct value per voxel: i + 10 j + 100 k + 0.25.
inline ImageF ramp_image(const Geometry& g) {
  ImageF image(g);
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) image.at(i, j, k) = float(i + 10 * j + 100 * k) + 0.25f;
  return image;
}

inline void expect_same_geometry(const Geometry& a, const Geometry& b, double tolerance) {
  EXPECT_EQ(a.size, b.size);
  for (int r = 0; r < 3; ++r) {
    EXPECT_NEAR(a.spacing_mm[r], b.spacing_mm[r], tolerance) << "spacing " << r;
    EXPECT_NEAR(a.origin_mm_lps[r], b.origin_mm_lps[r], tolerance) << "origin " << r;
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(a.direction[r][c], b.direction[r][c], tolerance) << r << "," << c;
  }
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs f, which must throw oncotrack::Error whose message contains every fragment.
template <class F>
void expect_error(F&& f, std::initializer_list<std::string> fragments) {
  try {
    f();
    ADD_FAILURE() << "expected oncotrack::Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    for (const auto& fragment : fragments) EXPECT_NE(what.find(fragment), std::string::npos) << what;
  }
}

}  // namespace oncotrack::io::testing

// The safetensors container: exact round trips, correctly rounded F16/BF16, and every hostile header refused
// with a message naming the file, the tensor, what was expected and what was found.
#include "oncotrack/nn/safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {
namespace {

namespace fs = std::filesystem;

constexpr float kInf = std::numeric_limits<float>::infinity();

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::uint32_t bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

float from_bits(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// Value i of a little-endian 16-bit data section.
std::uint16_t u16_at(const std::string& data, std::size_t i) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(data[2 * i]) |
                                    static_cast<unsigned char>(data[2 * i + 1]) << 8);
}

// A file split into its parts, so tests can edit the header text and put it back together.
struct Parts {
  std::string header, data;
};

Parts split(const std::string& file) {
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(file[static_cast<std::size_t>(i)]);
  return {file.substr(8, n), file.substr(8 + n)};
}

std::string join(const std::string& header, const std::string& data) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  return out + header + data;
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << "test bug: " << from << " not in " << s;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

class Safetensors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("oncotrack_safetensors_" + std::to_string(std::random_device{}()) + "_" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    // The valid file every hostile case is cut from: a [2,3] at bytes [0,24), b [4] at [24,40).
    write_safetensors(dir_ / "valid.safetensors", {{"k", "v"}},
                      {{"b", Tensor({4}, {7, 8, 9, 10})}, {"a", Tensor({2, 3}, {1, 2, 3, 4, 5, 6})}});
    valid_ = split(slurp(dir_ / "valid.safetensors"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `bytes` as a file and expects read() to refuse it with a message containing every part.
  void expect_refused(const std::string& bytes, const std::vector<std::string>& parts) {
    const fs::path p = dir_ / "hostile.safetensors";
    spit(p, bytes);
    try {
      SafetensorsFile::read(p);
      ADD_FAILURE() << "accepted: " << bytes.substr(0, 300);
    } catch (const NnError& e) {
      EXPECT_EQ(e.where(), p.string());
      for (const auto& part : parts)
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
            << "message lacks \"" << part << "\": " << e.what();
    }
  }
  // The valid header with one edit, the data section unchanged.
  void expect_header_refused(const std::string& from, const std::string& to,
                             const std::vector<std::string>& parts) {
    expect_refused(join(replaced(valid_.header, from, to), valid_.data), parts);
  }

  fs::path dir_;
  Parts valid_;
};

TEST_F(Safetensors, ValidFileLayout) {
  // Tensors in name order, header padded with spaces so the data section starts 8-byte aligned.
  EXPECT_EQ((8 + valid_.header.size()) % 8, 0u);
  EXPECT_EQ(valid_.header.find_first_not_of(' ', valid_.header.rfind('}') + 1), std::string::npos);
  EXPECT_EQ(valid_.data.size(), 40u);
  float first;
  std::memcpy(&first, valid_.data.data(), 4);
  EXPECT_EQ(first, 1.0f);  // "a" comes first although it was given second
  const auto f = SafetensorsFile::read(dir_ / "valid.safetensors");
  ASSERT_EQ(f.entries().size(), 2u);
  EXPECT_EQ(f.entries()[0].name, "a");
  EXPECT_EQ(f.entries()[0].begin, 0u);
  EXPECT_EQ(f.entries()[0].end, 24u);
  EXPECT_EQ(f.entries()[1].shape, (Shape{4}));
  EXPECT_EQ(f.metadata().at("k"), "v");
  EXPECT_EQ(f.find("c"), nullptr);
  EXPECT_THROW(f.tensor("c"), NnError);
  EXPECT_EQ(f.tensor("b").data()[3], 10.0f);
  for (const auto& e : fs::directory_iterator(dir_))  // no temporary left behind
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
}

TEST_F(Safetensors, F32RoundTripIsBitExact) {
  using L = std::numeric_limits<float>;
  std::vector<float> v{0.0f,     -0.0f, 1.0f,  -3.5f,         L::max(), L::denorm_min(),
                       L::min(), kInf,  -kInf, L::quiet_NaN()};
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::uint32_t> any;
  while (v.size() < 1000) v.push_back(from_bits(any(rng)));
  const Tensor t({10, 100}, v);
  write_safetensors(dir_ / "f32.safetensors", {}, {{"t", t}});
  const Tensor back = SafetensorsFile::read(dir_ / "f32.safetensors").tensor("t");
  ASSERT_EQ(back.shape(), t.shape());
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(bits(back.data()[i]), bits(v[i])) << i;
}

// Each value, stored as F16, must read back as exactly the given float (and be stored as the given bits).
TEST_F(Safetensors, F16RoundsToNearestEvenWithEdgeCases) {
  const float sub = std::ldexp(1.0f, -24);  // smallest F16 subnormal
  struct Case {
    float in;
    std::uint16_t stored;
    float out;
  };
  const std::vector<Case> cases{
      {1.0f, 0x3c00, 1.0f},
      {-2.0f, 0xc000, -2.0f},
      {0.1f, 0x2e66, 0.0999755859375f},
      {65504.0f, 0x7bff, 65504.0f},   // max finite
      {65519.99f, 0x7bff, 65504.0f},  // just below the rounding boundary
      {65520.0f, 0x7c00, kInf},       // halfway to 2^16: ties to even = inf
      {1e6f, 0x7c00, kInf},           // overflow
      {-1e30f, 0xfc00, -kInf},
      {kInf, 0x7c00, kInf},
      {-kInf, 0xfc00, -kInf},
      {sub, 0x0001, sub},          // min subnormal
      {0.5f * sub, 0x0000, 0.0f},  // halfway to 0: ties to even = 0
      {std::nextafter(0.5f * sub, 1.0f), 0x0001, sub},
      {1.5f * sub, 0x0002, 2 * sub},        // tie between 1 and 2: even
      {2.5f * sub, 0x0002, 2 * sub},        // tie between 2 and 3: even
      {1023 * sub, 0x03ff, 1023 * sub},     // max subnormal
      {1023.5f * sub, 0x0400, 1024 * sub},  // tie rounds up into the min normal
      {std::ldexp(1.0f, -14), 0x0400, std::ldexp(1.0f, -14)},
      {1.0f + std::ldexp(1.0f, -11), 0x3c00, 1.0f},                             // tie: even
      {1.0f + 3 * std::ldexp(1.0f, -11), 0x3c02, 1.0f + std::ldexp(1.0f, -9)},  // tie: even
      {-0.0f, 0x8000, -0.0f},
      {-std::numeric_limits<float>::denorm_min(), 0x8000, -0.0f},  // float subnormal underflows, sign kept
  };
  std::vector<float> in;
  for (const auto& c : cases) in.push_back(c.in);
  in.push_back(std::numeric_limits<float>::quiet_NaN());
  in.push_back(-std::numeric_limits<float>::quiet_NaN());
  in.push_back(from_bits(0x7f800001u));  // signalling NaN, payload only in bits F16 drops
  const Shape shape{static_cast<std::int64_t>(in.size())};
  write_safetensors(dir_ / "f16.safetensors", {}, {{"t", Tensor(shape, in)}}, DType::kF16);
  const auto f = SafetensorsFile::read(dir_ / "f16.safetensors");
  EXPECT_EQ(f.entries()[0].dtype, DType::kF16);
  const std::string data = split(slurp(dir_ / "f16.safetensors")).data;
  ASSERT_EQ(data.size(), 2 * in.size());
  auto stored = [&](std::size_t i) { return u16_at(data, i); };
  const Tensor t = f.tensor("t");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(stored(i), cases[i].stored) << "case " << i << " in " << cases[i].in;
    EXPECT_EQ(bits(t.data()[i]), bits(cases[i].out)) << "case " << i << " in " << cases[i].in;
  }
  for (std::size_t i = cases.size(); i < in.size(); ++i) {
    EXPECT_TRUE(std::isnan(t.data()[i]));
    EXPECT_EQ(stored(i) & 0x7e00, 0x7e00);  // quiet NaN
    EXPECT_EQ(std::signbit(t.data()[i]), std::signbit(in[i]));
  }
}

// Independent decoder for the properties below (NaN patterns not handled).
double decode_half(std::uint16_t h) {
  const int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  const double v = e == 31  ? std::numeric_limits<double>::infinity()
                   : e == 0 ? std::ldexp(m, -24)
                            : std::ldexp(1024 + m, e - 25);
  return (h & 0x8000) ? -v : v;
}

// Every finite value within range goes to the nearest F16 neighbour (ties to the even one).
TEST_F(Safetensors, F16IsCorrectlyRoundedForRandomValues) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> exponent(-27.0f, 16.0f);
  std::uniform_real_distribution<float> sign(-1.0f, 1.0f);
  std::vector<float> v;
  for (int i = 0; i < 100000; ++i) {
    const float x = std::copysign(std::exp2(exponent(rng)), sign(rng));
    if (std::fabs(x) < 65504.0f) v.push_back(x);
  }
  const Shape shape{static_cast<std::int64_t>(v.size())};
  write_safetensors(dir_ / "r.safetensors", {}, {{"t", Tensor(shape, v)}}, DType::kF16);
  const std::string data = split(slurp(dir_ / "r.safetensors")).data;
  const Tensor back = SafetensorsFile::read(dir_ / "r.safetensors").tensor("t");
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::uint16_t h = u16_at(data, i);
    const double x = v[i], got = decode_half(h), err = std::fabs(got - x);
    ASSERT_EQ(static_cast<double>(back.data()[i]), got) << v[i];
    const auto mag = static_cast<std::uint16_t>(h & 0x7fff);
    for (int step : {-1, 1}) {
      if (mag == 0 && step < 0) continue;
      const auto other = static_cast<std::uint16_t>((h & 0x8000) | (mag + step));
      const double other_err = std::fabs(decode_half(other) - x);
      ASSERT_LE(err, other_err) << v[i];
      if (err == other_err) {
        ASSERT_EQ(h & 1, 0) << "tie not to even: " << v[i];
      }
    }
  }
}

// Reading then writing every F16 bit pattern gives it back (NaNs stay NaN, quietened).
TEST_F(Safetensors, F16AllBitPatternsSurviveReadAndWrite) {
  std::string data;
  for (std::uint32_t h = 0; h < 65536; ++h) data += {static_cast<char>(h & 0xff), static_cast<char>(h >> 8)};
  const std::string header = R"({"t":{"dtype":"F16","shape":[65536],"data_offsets":[0,131072]}})";
  spit(dir_ / "all.safetensors", join(header, data));
  const Tensor t = SafetensorsFile::read(dir_ / "all.safetensors").tensor("t");
  write_safetensors(dir_ / "again.safetensors", {}, {{"t", t}}, DType::kF16);
  const std::string again = split(slurp(dir_ / "again.safetensors")).data;
  ASSERT_EQ(again.size(), data.size());
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const bool nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
    ASSERT_EQ(std::isnan(t.data()[h]), nan) << h;
    if (!nan) {
      ASSERT_EQ(static_cast<double>(t.data()[h]), decode_half(static_cast<std::uint16_t>(h))) << h;
      ASSERT_EQ(again.substr(2 * h, 2), data.substr(2 * h, 2)) << h;
    }
  }
}

TEST_F(Safetensors, BF16RoundsToNearestEvenWithEdgeCases) {
  const float max = std::numeric_limits<float>::max();
  struct Case {
    float in;
    std::uint16_t stored;
  };
  const std::vector<Case> cases{
      {1.0f, 0x3f80},
      {1.0f + std::ldexp(1.0f, -8), 0x3f80},      // tie: even
      {1.0f + 3 * std::ldexp(1.0f, -8), 0x3f82},  // tie: even
      {1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20), 0x3f81},
      {max, 0x7f80},  // overflows to inf
      {-max, 0xff80},
      {kInf, 0x7f80},
      {std::numeric_limits<float>::denorm_min(), 0x0000},  // below half a bf16 subnormal
      {std::ldexp(1.0f, -133), 0x0001},                    // a bf16 subnormal, exact
      {-0.0f, 0x8000},
  };
  std::vector<float> in;
  for (const auto& c : cases) in.push_back(c.in);
  in.push_back(std::numeric_limits<float>::quiet_NaN());
  in.push_back(from_bits(0xff800001u));  // signalling NaN, payload only in bits BF16 drops
  const Shape shape{static_cast<std::int64_t>(in.size())};
  write_safetensors(dir_ / "bf16.safetensors", {}, {{"t", Tensor(shape, in)}}, DType::kBF16);
  const std::string data = split(slurp(dir_ / "bf16.safetensors")).data;
  const Tensor t = SafetensorsFile::read(dir_ / "bf16.safetensors").tensor("t");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::uint16_t h = u16_at(data, i);
    EXPECT_EQ(h, cases[i].stored) << "case " << i;
    EXPECT_EQ(bits(t.data()[i]), static_cast<std::uint32_t>(cases[i].stored) << 16) << "case " << i;
  }
  for (std::size_t i = cases.size(); i < in.size(); ++i) EXPECT_TRUE(std::isnan(t.data()[i])) << i;
}

TEST_F(Safetensors, BF16IsCorrectlyRoundedForRandomValues) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<std::uint32_t> any;
  std::vector<float> v;
  while (v.size() < 100000) {
    const float f = from_bits(any(rng));
    if (std::isfinite(f) && std::fabs(f) < 3.38e38f) v.push_back(f);  // below bf16's max finite
  }
  const Shape shape{static_cast<std::int64_t>(v.size())};
  write_safetensors(dir_ / "r.safetensors", {}, {{"t", Tensor(shape, v)}}, DType::kBF16);
  const Tensor back = SafetensorsFile::read(dir_ / "r.safetensors").tensor("t");
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::uint32_t got = bits(back.data()[i]);
    ASSERT_EQ(got & 0xffffu, 0u);
    const double x = v[i], err = std::fabs(static_cast<double>(back.data()[i]) - x);
    for (std::uint32_t other : {got - 0x10000u, got + 0x10000u}) {
      const float o = from_bits(other);
      if (!std::isfinite(o) || std::signbit(o) != std::signbit(back.data()[i])) continue;
      const double other_err = std::fabs(static_cast<double>(o) - x);
      ASSERT_LE(err, other_err) << v[i];
      if (err == other_err) {
        ASSERT_EQ((got >> 16) & 1u, 0u) << "tie not to even: " << v[i];
      }
    }
  }
}

TEST_F(Safetensors, WriterRefusesRepeatedOrReservedNamesAndLeavesNothing) {
  EXPECT_THROW(write_safetensors(dir_ / "x.safetensors", {}, {{"a", Tensor({1})}, {"a", Tensor({2})}}),
               NnError);
  EXPECT_THROW(write_safetensors(dir_ / "x.safetensors", {}, {{"__metadata__", Tensor({1})}}), NnError);
  EXPECT_THROW(write_safetensors(dir_ / "x.safetensors", {}, {{"", Tensor({1})}}), NnError);
  EXPECT_THROW(write_safetensors(dir_ / "x.safetensors", {}, {{"scalar", Tensor()}}), NnError);
  EXPECT_THROW(write_safetensors(dir_ / "no_such_dir" / "x.safetensors", {}, {{"a", Tensor({1})}}), NnError);
  EXPECT_FALSE(fs::exists(dir_ / "x.safetensors"));
}

TEST_F(Safetensors, GapsAndEmptyTensorsAreAccepted) {
  // b moved from [24,40) to [32,48): 8 unused bytes between a and b.
  const std::string header = replaced(valid_.header, "[24,40]", "[32,48]");
  const std::string data = valid_.data.substr(0, 24) + std::string(8, '\x55') + valid_.data.substr(24);
  spit(dir_ / "gap.safetensors", join(header, data));
  const auto f = SafetensorsFile::read(dir_ / "gap.safetensors");
  EXPECT_EQ(f.tensor("b").data()[0], 7.0f);
  EXPECT_EQ(f.tensor("a").data()[5], 6.0f);

  const std::string with_empty =
      replaced(valid_.header, "\"b\":", R"("e":{"dtype":"F32","shape":[0,3],"data_offsets":[8,8]},"b":)");
  spit(dir_ / "empty.safetensors", join(with_empty, valid_.data));
  const Tensor e = SafetensorsFile::read(dir_ / "empty.safetensors").tensor("e");
  EXPECT_EQ(e.shape(), (Shape{0, 3}));

  const std::string no_metadata = R"({"b":{"dtype":"F32","shape":[4],"data_offsets":[24,40]}})";
  EXPECT_TRUE(SafetensorsFile::parse(join(no_metadata, valid_.data), "mem").metadata().empty());
}

TEST_F(Safetensors, RefusesBadLengths) {
  expect_refused("", {"file too short", "at least 8 bytes", "got 0 bytes"});
  expect_refused(std::string(7, '\0'), {"file too short", "got 7 bytes"});
  expect_refused(join("", valid_.data), {"empty header", "got 0"});
  std::string absurd = join(valid_.header, valid_.data);
  absurd[5] = 1;  // 2^40 + n bytes of header
  expect_refused(absurd, {"absurd header length", "104857600"});
  std::string past = join(valid_.header, "");
  past[0] = static_cast<char>(past[0] + 1);
  expect_refused(past, {"header runs past the end of the file",
                        "expected <= " + std::to_string(valid_.header.size()) + " bytes"});
}

TEST_F(Safetensors, RefusesHeadersThatAreNotTheExpectedJson) {
  expect_header_refused("{\"__metadata__\"", "{\"__metadata__\":", {"header is not valid JSON"});
  expect_refused(join("[1,2]", ""), {"header is not a JSON object", "array"});
  expect_refused(join("\"a\"", ""), {"header is not a JSON object", "string"});
  expect_header_refused("\"a\":", "\"\xff\":", {"header is not valid JSON"});  // not UTF-8
  expect_refused(join(std::string(100000, '[') + std::string(100000, ']'), ""), {"header nested too deeply"});
  expect_header_refused("[2,3]", "[[2],3]", {"header nested too deeply", "depth 3"});
  expect_header_refused("\"a\":", R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":)",
                        {"duplicate tensor name \"a\""});
  expect_header_refused("\"dtype\":\"F32\",\"shape\":[2,3]", R"("dtype":"F32","shape":[2,3],"dtype":"F16")",
                        {"duplicate key \"dtype\" in \"a\""});
  expect_header_refused("{\"k\":\"v\"}", "[\"k\"]",
                        {"__metadata__ is not an object", "object of strings", "array"});
  expect_header_refused("{\"k\":\"v\"}", "{\"k\":2}", {"metadata value \"k\" is not a string", "number"});
  expect_header_refused("\"a\":", "\"\":", {"empty tensor name"});
}

TEST_F(Safetensors, RefusesBadEntries) {
  const std::string b = R"("b":{"data_offsets":[24,40],"dtype":"F32","shape":[4]})";
  ASSERT_NE(valid_.header.find(b), std::string::npos) << valid_.header;
  auto with_b = [&](const std::string& entry, const std::vector<std::string>& parts) {
    expect_header_refused(b, "\"b\":" + entry, parts);
  };
  with_b("5", {"tensor \"b\": entry is not an object", "number"});
  with_b(R"({"data_offsets":[24,40],"dtype":"F32","shape":[4],"extra":1})",
         {"tensor \"b\": unknown key \"extra\""});
  with_b(R"({"data_offsets":[24,40],"shape":[4]})", {"tensor \"b\": missing \"dtype\""});
  with_b(R"({"data_offsets":[24,40],"dtype":"F32"})", {"tensor \"b\": missing \"shape\""});
  with_b(R"({"dtype":"F32","shape":[4]})", {"tensor \"b\": missing \"data_offsets\""});
  for (const std::string dtype : {"\"F64\"", "\"I8\"", "\"f32\"", "4", "null"})
    with_b(R"({"data_offsets":[24,40],"dtype":)" + dtype + R"(,"shape":[4]})",
           {"tensor \"b\": unsupported dtype", "expected F32, F16 or BF16", "got " + dtype});
  for (const std::string shape : {"[-4]", "[4.0]", "[\"4\"]", "[]", "4", "[1,1,1,1,1,1,1,1,4]"})
    with_b(R"({"data_offsets":[24,40],"dtype":"F32","shape":)" + shape + "}",
           {"tensor \"b\": bad shape", "1 to 8 non-negative integers", "got " + shape});
  for (const std::string shape :
       {"[4294967296,4294967296,4]", "[9223372036854775808]", "[0,18446744073709551615]"})
    with_b(R"({"data_offsets":[24,40],"dtype":"F32","shape":)" + shape + "}",
           {"tensor \"b\": shape element count overflows", "got " + shape});
  for (const std::string offsets :
       {"[24]", "[24,40,40]", "[-1,40]", "[40,24]", "[\"24\",40]", "[24.0,40]", "{}"})
    with_b(R"({"data_offsets":)" + offsets + R"(,"dtype":"F32","shape":[4]})",
           {"tensor \"b\": bad data_offsets", "[begin, end] with 0 <= begin <= end", "got " + offsets});
  with_b(R"({"data_offsets":[24,40],"dtype":"F16","shape":[4]})",
         {"tensor \"b\": data_offsets do not match shape and dtype", "expected 8 bytes (4 elements of F16)",
          "got 16 bytes"});
  with_b(R"({"data_offsets":[24,44],"dtype":"F32","shape":[5]})",
         {"tensor \"b\": data beyond the end of the data section", "expected end <= 40", "got end 44"});
  with_b(R"({"data_offsets":[18446744073709551611,18446744073709551615],"dtype":"F32","shape":[1]})",
         {"tensor \"b\": data beyond the end of the data section"});
}

TEST_F(Safetensors, RefusesOverlapsNamingBothTensors) {
  expect_header_refused("[24,40]", "[16,32]", {"tensors \"a\" and \"b\" overlap", "[0,24) and [16,32)"});
  expect_header_refused("[24,40]", "[0,16]", {"tensors", "\"a\"", "\"b\"", "overlap"});
  // b and c both inside a.
  const std::string three = R"({"a":{"dtype":"F32","shape":[10],"data_offsets":[0,40]},)"
                            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},)"
                            R"("c":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}})";
  expect_refused(join(three, valid_.data), {"tensors \"a\" and \"b\" overlap"});
}

TEST_F(Safetensors, RefusesTruncatedData) {
  const std::string whole = join(valid_.header, valid_.data);
  expect_refused(whole.substr(0, whole.size() - 4), {"tensor \"b\": data beyond the end of the data section",
                                                     "expected end <= 36", "got end 40"});
}

// Whatever the damage, read() either succeeds or throws NnError: never crashes (run under ASan in CI).
TEST_F(Safetensors, TruncatedAtEveryLengthOrWithFlippedHeaderBytesNeverCrashes) {
  const std::string whole = join(valid_.header, valid_.data);
  int refused = 0;
  for (std::size_t n = 0; n < whole.size(); ++n) {
    try {
      SafetensorsFile::parse(whole.substr(0, n), "truncated");
    } catch (const NnError&) {
      ++refused;
    }
  }
  EXPECT_EQ(refused, static_cast<int>(whole.size()));  // every truncation loses data or header

  std::mt19937 rng(3);
  std::uniform_int_distribution<std::size_t> position(0, 8 + valid_.header.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255), count(1, 4);
  int accepted = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bytes = whole;
    for (int k = count(rng); k > 0; --k) bytes[position(rng)] = static_cast<char>(byte(rng));
    try {
      const auto f = SafetensorsFile::parse(bytes, "flipped");
      for (const auto& e : f.entries()) {
        const Tensor t = f.tensor(e.name);
        EXPECT_EQ(t.shape(), e.shape);
      }
      ++accepted;
    } catch (const NnError&) {
    }
  }
  EXPECT_GT(accepted, 0);  // flips inside padding or values that stay valid
}

}  // namespace
}  // namespace oncotrack::nn

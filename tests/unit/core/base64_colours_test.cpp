#include "oncotrack/core/base64.h"

#include <gtest/gtest.h>

#include "oncotrack/core/colours.h"

namespace oncotrack {
namespace {

TEST(Base64, Rfc4648TestVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, HighBytesUseTheLastLettersOfTheAlphabet) {
  EXPECT_EQ(base64_encode(std::string("\xff\xff\xff", 3)), "////");
  EXPECT_EQ(base64_encode(std::string("\xfb\xef\xbe", 3)), "++++");
  EXPECT_EQ(base64_encode(std::string("\x89PNG", 4)), "iVBORw==");
}

TEST(ColourScale, EndsStopsAndInterpolation) {
  EXPECT_EQ(map_colour(0.0), kMapColourStops.front().rgb);
  EXPECT_EQ(map_colour(1.0), kMapColourStops.back().rgb);
  EXPECT_EQ(map_colour(-3.0), kMapColourStops.front().rgb);
  EXPECT_EQ(map_colour(7.0), kMapColourStops.back().rgb);
  EXPECT_EQ(map_colour(0.5), kMapColourStops[2].rgb);
  const Rgb mid = map_colour(0.125);  // halfway between the first two stops
  for (int c = 0; c < 3; ++c)
    EXPECT_NEAR(mid[c], 0.5 * (kMapColourStops[0].rgb[c] + kMapColourStops[1].rgb[c]), 0.5 + 1e-9);
}

TEST(ColourScale, LuminanceRisesMonotonically) {
  double last = -1;
  for (int i = 0; i <= 100; ++i) {
    const Rgb c = map_colour(i / 100.0);
    const double y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    EXPECT_GT(y, last) << "t = " << i / 100.0;
    last = y;
  }
}

}  // namespace
}  // namespace oncotrack

#pragma once
// Test support: decodes an 8-bit RGB or RGBA, non-interlaced PNG (what headless Chromium's screenshots and
// oncotrack's QC pictures are) into RGB bytes, so tests can look at what was drawn. Header-only.
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace oncotrack::testing {

struct DecodedPng {
  std::size_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // width·height·3, rows from the top
};

inline DecodedPng decode_png(const std::string& bytes) {
  if (bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) throw std::runtime_error("not a PNG");
  auto u32 = [&](std::size_t at) {
    return std::uint32_t(std::uint8_t(bytes[at])) << 24 | std::uint32_t(std::uint8_t(bytes[at + 1])) << 16 |
           std::uint32_t(std::uint8_t(bytes[at + 2])) << 8 | std::uint32_t(std::uint8_t(bytes[at + 3]));
  };
  DecodedPng png;
  std::size_t channels = 0;
  std::string idat;
  for (std::size_t at = 8; at + 8 <= bytes.size();) {
    const std::size_t length = u32(at);
    const std::string type = bytes.substr(at + 4, 4);
    if (type == "IHDR") {
      png.width = u32(at + 8);
      png.height = u32(at + 12);
      const int depth = std::uint8_t(bytes[at + 16]), colour = std::uint8_t(bytes[at + 17]);
      if (depth != 8 || (colour != 2 && colour != 6) || bytes[at + 20] != 0)
        throw std::runtime_error("only 8-bit non-interlaced RGB(A) PNGs are decoded here");
      channels = colour == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat += bytes.substr(at + 8, length);
    }
    at += 12 + length;
  }
  const std::size_t stride = png.width * channels;
  std::vector<std::uint8_t> raw((stride + 1) * png.height);
  uLongf raw_size = static_cast<uLongf>(raw.size());
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()),
                 static_cast<uLong>(idat.size())) != Z_OK ||
      raw_size != raw.size())
    throw std::runtime_error("PNG data do not inflate to the image size");
  std::vector<std::uint8_t> prev(stride, 0), cur(stride);
  png.rgb.resize(png.width * png.height * 3);
  for (std::size_t y = 0; y < png.height; ++y) {
    const std::uint8_t filter = raw[y * (stride + 1)];
    const std::uint8_t* line = &raw[y * (stride + 1) + 1];
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x >= channels ? cur[x - channels] : 0, b = prev[x],
                c = x >= channels ? prev[x - channels] : 0;
      int p = 0;
      switch (filter) {
        case 0:
          p = 0;
          break;
        case 1:
          p = a;
          break;
        case 2:
          p = b;
          break;
        case 3:
          p = (a + b) / 2;
          break;
        case 4: {
          const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
          p = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c);
          break;
        }
        default:
          throw std::runtime_error("unknown PNG filter");
      }
      cur[x] = static_cast<std::uint8_t>((line[x] + p) & 0xff);
    }
    for (std::size_t x = 0; x < png.width; ++x)
      for (std::size_t k = 0; k < 3; ++k) png.rgb[3 * (y * png.width + x) + k] = cur[x * channels + k];
    prev.swap(cur);
  }
  return png;
}

}  // namespace oncotrack::testing

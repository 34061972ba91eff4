#include "oncotrack/core/colours.h"

#include <algorithm>
#include <cmath>

namespace oncotrack {

Rgb map_colour(double t) {
  t = std::isnan(t) ? 0.0 : std::clamp(t, 0.0, 1.0);
  std::size_t k = 1;
  while (k + 1 < kMapColourStops.size() && t > kMapColourStops[k].t) ++k;
  const ColourStop& a = kMapColourStops[k - 1];
  const ColourStop& b = kMapColourStops[k];
  const double f = (t - a.t) / (b.t - a.t);
  Rgb out{};
  for (int c = 0; c < 3; ++c)
    out[c] = static_cast<std::uint8_t>(std::lround(a.rgb[c] + f * (b.rgb[c] - a.rgb[c])));
  return out;
}

}  // namespace oncotrack

#include <cmath>
#include <limits>

#include "oncotrack/core/error.h"
#include "oncotrack/registration/register.h"

namespace oncotrack::registration {

double masked_ncc(const ImageF& fixed, const ImageF& moving, const Transform& t, const Mask* mask) {
  ONCOTRACK_ASSERT(!mask || mask->voxels.size() == fixed.voxels.size(), "NCC mask must be on the fixed grid");
  const ImageF seen = resample_image(moving, fixed.geometry, t, std::numeric_limits<float>::quiet_NaN());
  double n = 0, sf = 0, sm = 0;
  for (std::size_t v = 0; v < seen.voxels.size(); ++v) {
    if ((mask && !mask->voxels[v]) || std::isnan(seen.voxels[v])) continue;
    n += 1;
    sf += double(fixed.voxels[v]);
    sm += double(seen.voxels[v]);
  }
  if (n < 2) return 0;
  const double mf = sf / n, mm = sm / n;
  double cfm = 0, cff = 0, cmm = 0;
  for (std::size_t v = 0; v < seen.voxels.size(); ++v) {
    if ((mask && !mask->voxels[v]) || std::isnan(seen.voxels[v])) continue;
    const double a = double(fixed.voxels[v]) - mf, b = double(seen.voxels[v]) - mm;
    cfm += a * b;
    cff += a * a;
    cmm += b * b;
  }
  return cff > 0 && cmm > 0 ? cfm / std::sqrt(cff * cmm) : 0;
}

}  // namespace oncotrack::registration

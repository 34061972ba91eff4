#include <algorithm>
#include <cmath>

#include <itkShrinkImageFilter.h>
#include <itkSmoothingRecursiveGaussianImageFilter.h>

#include "stage.h"

namespace oncotrack::registration {

namespace {

// Smoothed by sigma_mm, then shrunk (every shrink-th voxel, ITK keeps the physical extent centred).
ItkImage::Pointer pyramid_image(const ItkImage::Pointer& image, double sigma_mm,
                                const itk::Vector<unsigned, 3>& shrink) {
  ItkImage::Pointer out = image;
  if (sigma_mm > 0) {
    auto smooth = itk::SmoothingRecursiveGaussianImageFilter<ItkImage, ItkImage>::New();
    smooth->SetInput(out);
    smooth->SetSigma(sigma_mm);
    smooth->Update();
    out = smooth->GetOutput();
    out->DisconnectPipeline();
  }
  if (shrink[0] * shrink[1] * shrink[2] > 1) {
    auto filter = itk::ShrinkImageFilter<ItkImage, ItkImage>::New();
    filter->SetInput(out);
    for (unsigned d = 0; d < 3; ++d) filter->SetShrinkFactor(d, shrink[d]);
    filter->Update();
    out = filter->GetOutput();
    out->DisconnectPipeline();
  }
  return out;
}

}  // namespace

std::vector<Level> make_levels(const RegistrationConfig& config, const ItkImage::Pointer& fixed,
                               const ItkImage::Pointer& moving, std::size_t mask_voxels) {
  const auto& spacing = fixed->GetSpacing();
  const auto& size = fixed->GetLargestPossibleRegion().GetSize();
  const double finest = std::min({spacing[0], spacing[1], spacing[2]});
  const double mask_share = double(mask_voxels) / double(size[0] * size[1] * size[2]);
  std::vector<Level> levels;
  for (const auto& s : config.levels) {
    Level l;
    double virtual_voxels = 1, level_spacing = 1e300;
    for (unsigned d = 0; d < 3; ++d) {
      // Shrink towards isotropic voxels of s.shrink × the finest spacing, keeping at least 8 voxels.
      const double wanted = std::round(s.shrink * finest / spacing[d]);
      const double most = std::max(1.0, std::floor(double(size[d]) / 8));
      l.shrink[d] = static_cast<unsigned>(std::clamp(wanted, 1.0, most));
      virtual_voxels *= std::max<std::size_t>(1, size[d] / l.shrink[d]);
      level_spacing = std::min(level_spacing, spacing[d] * l.shrink[d]);
    }
    l.smoothing_mm = s.smoothing_mm;
    const double coarser = double(config.levels.size() - 1 - levels.size());
    const double samples = double(config.samples) / std::pow(2.0, coarser);
    l.sampling_fraction = std::min(1.0, samples / std::max(1.0, virtual_voxels * mask_share));
    l.step_mm = level_spacing;
    l.fixed = pyramid_image(fixed, s.smoothing_mm, l.shrink);
    l.moving = pyramid_image(moving, s.smoothing_mm, l.shrink);
    levels.push_back(l);
  }
  return levels;
}

}  // namespace oncotrack::registration

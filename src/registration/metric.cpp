#include <itkMultiThreaderBase.h>

#include <algorithm>

#include "itk_types.h"
#include "oncotrack/io/itk_convert.h"
#include "oncotrack/registration/register.h"

namespace oncotrack::registration {

DeterministicMattes::Pointer make_metric(unsigned bins, const ItkMask* fixed_mask,
                                         const ItkMask* moving_mask) {
  auto metric = DeterministicMattes::New();
  metric->SetNumberOfHistogramBins(bins);
  // Gradients by central differences at the sampled points only: no full gradient images per level.
  metric->SetUseMovingImageGradientFilter(false);
  metric->SetUseFixedImageGradientFilter(false);
  if (fixed_mask) metric->SetFixedImageMask(fixed_mask);
  if (moving_mask) metric->SetMovingImageMask(moving_mask);
  metric->run_sequentially();
  return metric;
}

void set_itk_threads(unsigned threads) {
  const auto n = static_cast<itk::ThreadIdType>(std::max(1u, threads));
  itk::MultiThreaderBase::SetGlobalMaximumNumberOfThreads(n);
  itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(n);
}

ItkMask::Pointer itk_mask(const Mask& mask) {
  auto so = ItkMask::New();
  so->SetImage(io::detail::itk_from_volume(mask));
  so->Update();
  return so;
}

}  // namespace oncotrack::registration

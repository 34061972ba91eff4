#pragma once
// Internal to the registration module: the ITK image, mask and metric types shared by its translation units.
#include <itkImage.h>
#include <itkImageMaskSpatialObject.h>
#include <itkMattesMutualInformationImageToImageMetricv4.h>

#include "oncotrack/core/geometry.h"

namespace oncotrack::registration {

using ItkImage = itk::Image<float, 3>;
using ItkMaskImage = itk::Image<unsigned char, 3>;
using ItkMask = itk::ImageMaskSpatialObject<3>;

// Mattes MI whose result does not depend on the number of threads (bit-for-bit). ITK's Mattes metric adds
// each work unit's derivative buffer into a shared sum whenever the buffer fills or the unit ends, in
// whatever order threads get there, so the floating-point sum depends on timing. The metric therefore runs as
// one work unit (sequential, deterministic); parallelism comes from the image filters and from subjects
// running at once.
class DeterministicMattes
    : public itk::MattesMutualInformationImageToImageMetricv4<ItkImage, ItkImage, ItkImage, double> {
 public:
  ITK_DISALLOW_COPY_AND_MOVE(DeterministicMattes);
  using Self = DeterministicMattes;
  using Superclass = itk::MattesMutualInformationImageToImageMetricv4<ItkImage, ItkImage, ItkImage, double>;
  using Pointer = itk::SmartPointer<Self>;
  // clang-format off
  itkNewMacro(Self)
  itkTypeMacro(DeterministicMattes, MattesMutualInformationImageToImageMetricv4);
  // clang-format on

  void run_sequentially() {
    this->m_SparseGetValueAndDerivativeThreader->SetNumberOfWorkUnits(1);
    this->m_DenseGetValueAndDerivativeThreader->SetNumberOfWorkUnits(1);
    this->SetMaximumNumberOfWorkUnits(1);
  }

 protected:
  DeterministicMattes() = default;
  ~DeterministicMattes() override = default;
};

// The metric configured the oncotrack way (bins, no gradient images, masks, one work unit).
DeterministicMattes::Pointer make_metric(unsigned bins, const ItkMask* fixed_mask,
                                         const ItkMask* moving_mask);

ItkMask::Pointer itk_mask(const Mask& mask);

}  // namespace oncotrack::registration

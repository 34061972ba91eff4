#pragma once
// Internal to the registration module: the ITK objects behind registration::Transform.
#include <itkAffineTransform.h>
#include <itkBSplineTransform.h>

#include "oncotrack/registration/transform.h"

namespace oncotrack::registration {

using ItkAffine = itk::AffineTransform<double, 3>;
using ItkBSpline = itk::BSplineTransform<double, 3, 3>;

struct Transform::Impl {
  ItkAffine::Pointer affine;    // never null
  ItkBSpline::Pointer bspline;  // null unless deformable; applied first (fixed space)
};

// Wraps ITK objects (copied, so later changes to the arguments do not leak into the Transform).
Transform make_transform(const ItkAffine& affine, const ItkBSpline* bspline = nullptr);

}  // namespace oncotrack::registration

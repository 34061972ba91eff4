#include <itkVersorRigid3DTransform.h>

#include "stage_runner.h"

namespace oncotrack::registration {

StageReport run_rigid_stage(const StageContext& ctx, ItkAffine& transform) {
  using Rigid = itk::VersorRigid3DTransform<double>;
  auto rigid = Rigid::New();
  rigid->SetCenter(transform.GetCenter());
  rigid->SetMatrix(transform.GetMatrix(), 1e-6);  // throws when not a rotation: callers pass rigid starts
  rigid->SetTranslation(transform.GetTranslation());
  StageReport report = detail::run_levels(ctx, "rigid", rigid.GetPointer(), nullptr);
  transform.SetCenter(rigid->GetCenter());
  transform.SetMatrix(rigid->GetMatrix());
  transform.SetTranslation(rigid->GetTranslation());
  return report;
}

}  // namespace oncotrack::registration

#include "stage_runner.h"

namespace oncotrack::registration {

StageReport run_affine_stage(const StageContext& ctx, ItkAffine& transform) {
  return detail::run_levels(ctx, "affine", &transform, nullptr);
}

}  // namespace oncotrack::registration

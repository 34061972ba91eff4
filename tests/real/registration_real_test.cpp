// Registration of real longitudinal and repositioned scans from ../shared/data/real (see each README):
// open_ms_longitudinal (Lesjak et al., Neuroinformatics 2016; CC-BY) with reference affine transforms of
// both studies to a common space, and decubitus_dicom (C. Rorden, dcm_qa_decubitus; BSD-2), the same head
// supine and lying on its right side.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "oncotrack/io/image_io.h"
#include "oncotrack/registration/register.h"
#include "oncotrack/synth/tre.h"

namespace oncotrack::registration {
namespace {

namespace fs = std::filesystem;
const fs::path kReal = ONCOTRACK_REAL_DATA_DIR;

TEST(RealOpenMs, FollowUpFlairRegistersToBaselineAsWellAsTheReference) {
  const fs::path dir = kReal / "open_ms_longitudinal" / "patient01_raw";
  if (!fs::exists(dir)) GTEST_SKIP() << "no " << dir;
  const ImageF fixed = io::read_image(dir / "study1_FLAIR.nii.gz");
  const ImageF moving = io::read_image(dir / "study2_FLAIR.nii.gz");
  // Reference: T_y maps a common-space point c to the raw study-y point, so the true fixed -> moving mapping
  // takes T_1(c) to T_2(c). Evaluation points: the brain mask's voxel centres in common space.
  const Transform t1 = Transform::read(dir / "study1_FLAIR_to_common_space.txt");
  const Transform t2 = Transform::read(dir / "study2_FLAIR_to_common_space.txt");
  const Mask brain = io::labels_to_mask(io::read_labels(dir / "brainmask_common.nii.gz"), {});
  std::vector<Vec3> points;
  for (const Vec3& c : synth::brain_points(brain, 2)) points.push_back(t1.apply(c));
  auto truth = [&](const Vec3& p) { return t2.apply(t1.apply_inverse(p)); };

  const synth::TreStats before = synth::tre(
      points, [](const Vec3& p) { return p; }, truth);
  const RegistrationResult r = register_pair({&fixed, &moving}, RegistrationConfig{});
  const synth::TreStats after = synth::tre(
      points, [&](const Vec3& p) { return r.transform.apply(p); }, truth);
  std::printf(
      "open_ms: TRE before mean %.2f max %.2f mm; after mean %.3f max %.3f mm over %zu points; %.2f s; "
      "NCC %.3f -> %.3f%s%s\n",
      before.mean_mm, before.max_mm, after.mean_mm, after.max_mm, after.count, r.seconds, r.ncc_before,
      r.ncc_after, r.suspect ? "; SUSPECT: " : "", r.suspect_reason.c_str());
  for (const auto& st : r.stages)
    std::printf("  %s: %u iterations, %.2f s, %s\n", st.name.c_str(), st.iterations, st.seconds,
                st.stop_condition.c_str());
  // The dataset README's figure without registration, and elastix 5.0.1's mean TRE on this pair (issue 3).
  EXPECT_NEAR(before.mean_mm, 10.4, 0.1);
  EXPECT_LE(after.mean_mm, 0.28);
  EXPECT_FALSE(r.suspect) << r.suspect_reason;
}

TEST(RealDecubitus, HeadLyingOnItsSideIsRigidlyRegisteredFromDicom) {
  const fs::path dir = kReal / "decubitus_dicom";
  if (!fs::exists(dir)) GTEST_SKIP() << "no " << dir;
  const ImageF supine = io::read_image(dir / "HFS_t1_fl2d_sag");
  const ImageF side = io::read_image(dir / "HFDR_t1_fl2d_sag");
  RegistrationConfig config;
  config.affine = false;  // the same head: rigid only
  const RegistrationResult r = register_pair({&supine, &side}, config);
  const auto p = r.transform.parameters();
  std::printf(
      "decubitus: rotation (%.2f, %.2f, %.2f) deg, translation (%.2f, %.2f, %.2f) mm; NCC %.3f -> %.3f; "
      "MI %.4f -> %.4f; %.2f s%s%s\n",
      p.rotation_deg[0], p.rotation_deg[1], p.rotation_deg[2], p.translation_mm[0], p.translation_mm[1],
      p.translation_mm[2], r.ncc_before, r.ncc_after, r.metric_before, r.metric_after, r.seconds,
      r.suspect ? "; SUSPECT: " : "", r.suspect_reason.c_str());
  // The reverse registration must give the inverse motion: both directions found the same alignment.
  const RegistrationResult back = register_pair({&side, &supine}, config);
  const auto q = back.transform.parameters();
  std::printf("decubitus reverse: rotation (%.2f, %.2f, %.2f) deg; NCC %.3f -> %.3f\n", q.rotation_deg[0],
              q.rotation_deg[1], q.rotation_deg[2], back.ncc_before, back.ncc_after);
  double worst = 0;
  for (std::size_t v = 0; v < supine.voxels.size(); v += 97) {
    const Geometry& g = supine.geometry;
    const std::size_t i = v % g.size[0], j = (v / g.size[0]) % g.size[1], k = v / (g.size[0] * g.size[1]);
    const Vec3 x = g.index_to_lps({double(i), double(j), double(k)});
    const Vec3 y = back.transform.apply(r.transform.apply(x));
    worst = std::max(worst, std::hypot(y[0] - x[0], y[1] - x[1], y[2] - x[2]));
  }
  std::printf("decubitus: forward then reverse moves points by at most %.2f mm\n", worst);
  EXPECT_FALSE(r.suspect) << r.suspect_reason;
  EXPECT_GT(r.ncc_after, r.ncc_before);
  EXPECT_LT(worst, 2.0);
}

}  // namespace
}  // namespace oncotrack::registration

// Registration accuracy against a known motion on real anatomy: the Colin27 T1 brain (Holmes et al. 1998,
// Debian package mricron-data) moved by rigid and affine transforms onto a thicker-sliced, noisy grid.
#include <gtest/gtest.h>

#include <filesystem>

#include "oncotrack/io/image_io.h"
#include "oncotrack/registration/register.h"
#include "oncotrack/synth/registration_pair.h"
#include "oncotrack/synth/tre.h"

namespace oncotrack::registration {
namespace {

namespace fs = std::filesystem;
const fs::path kTemplates = "/usr/share/mricron/templates";

class Colin27 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(kTemplates / "ch2.nii.gz")) return;
    source_ = new ImageF(io::read_image(kTemplates / "ch2.nii.gz"));
    const Mask brain = io::labels_to_mask(io::read_labels(kTemplates / "ch2bet.nii.gz"), {});
    points_ = new std::vector<Vec3>(synth::brain_points(brain, 4));
  }
  static void TearDownTestSuite() {
    delete source_;
    delete points_;
    source_ = nullptr;
    points_ = nullptr;
  }
  void SetUp() override {
    if (!source_) GTEST_SKIP() << "Colin27 not installed (" << kTemplates << "): run scripts/setup.sh";
  }

  // The brain's centre in the source frame.
  static Vec3 centre() {
    const Geometry& g = source_->geometry;
    return g.index_to_lps(
        {(double(g.size[0]) - 1) / 2, (double(g.size[1]) - 1) / 2, (double(g.size[2]) - 1) / 2});
  }

  static synth::PairSpec spec(const synth::MotionParameters& motion, bool lesion) {
    synth::PairSpec s;
    synth::MotionParameters m = motion;
    m.centre_mm_lps = centre();
    s.truth = synth::make_motion(m);
    s.fixed_grid = synth::centred_grid(centre(), {120, 144, 120}, {1.5, 1.5, 1.5});
    // The follow-up: finer in-plane, 3 mm slices, and its field of view follows the head.
    s.moving_grid = synth::centred_grid(s.truth.apply(centre()), {150, 180, 60}, {1.2, 1.2, 3.0});
    s.noise_fraction = 0.03;
    s.seed = 7;
    if (lesion) {
      synth::LesionChange l;
      l.fixed.centre_mm_lps = {centre()[0] + 25, centre()[1] - 10, centre()[2] + 15};
      l.fixed.semi_axes_mm = {12, 10, 9};
      l.moving_semi_axes_factor = 1.6;
      s.lesion = l;
    }
    return s;
  }

  static synth::TreStats run(const synth::PairSpec& s, RegistrationResult* out = nullptr,
                             const RegistrationConfig& config = {}) {
    const synth::RegistrationPair pair = synth::make_registration_pair(*source_, s);
    RegistrationInputs in;
    in.fixed = &pair.fixed;
    in.moving = &pair.moving;
    if (s.lesion) {
      in.fixed_tumour = &pair.fixed_lesion;
      in.moving_tumour = &pair.moving_lesion;
    }
    const RegistrationResult r = register_pair(in, config);
    const synth::TreStats tre = synth::tre(
        *points_, [&](const Vec3& p) { return r.transform.apply(p); },
        [&](const Vec3& p) { return synth::true_map(s, p); });
    std::printf("TRE mean %.3f max %.3f mm over %zu points; %.2f s; MI %.4f -> %.4f; NCC %.3f -> %.3f%s%s\n",
                tre.mean_mm, tre.max_mm, tre.count, r.seconds, r.metric_before, r.metric_after, r.ncc_before,
                r.ncc_after, r.suspect ? "; SUSPECT: " : "", r.suspect_reason.c_str());
    for (const auto& st : r.stages)
      std::printf("  %s: %u iterations, %.2f s, %s\n", st.name.c_str(), st.iterations, st.seconds,
                  st.stop_condition.c_str());
    if (out) *out = r;
    return tre;
  }

  static ImageF* source_;
  static std::vector<Vec3>* points_;
};
ImageF* Colin27::source_ = nullptr;
std::vector<Vec3>* Colin27::points_ = nullptr;

TEST_F(Colin27, RigidMotionIsRecoveredToHalfAMillimetre) {
  synth::MotionParameters m;
  m.rotation_deg = {15, -10, 12};
  m.translation_mm = {20, -12, 8};
  RegistrationResult r;
  const auto tre = run(spec(m, false), &r);
  EXPECT_LE(tre.mean_mm, 0.5);
  EXPECT_FALSE(r.suspect) << r.suspect_reason;
  EXPECT_GT(r.ncc_after, r.ncc_before);
  EXPECT_LT(r.metric_after, r.metric_before);
  // The reported rotation is the truth's (within half a degree).
  const auto p = r.transform.parameters();
  EXPECT_NEAR(p.rotation_deg[0], 15, 0.5);
  EXPECT_NEAR(p.rotation_deg[1], -10, 0.5);
  EXPECT_NEAR(p.rotation_deg[2], 12, 0.5);
}

TEST_F(Colin27, AffineMotionIsRecoveredToHalfAMillimetre) {
  synth::MotionParameters m;
  m.rotation_deg = {-8, 12, -15};
  m.translation_mm = {-15, 18, -10};
  m.scale = {1.08, 0.92, 1.05};
  RegistrationResult r;
  const auto tre = run(spec(m, false), &r);
  EXPECT_LE(tre.mean_mm, 0.5);
  EXPECT_FALSE(r.suspect) << r.suspect_reason;
  const auto p = r.transform.parameters();
  EXPECT_NEAR(p.scale[0], 1.08, 0.01);
  EXPECT_NEAR(p.scale[1], 0.92, 0.01);
  EXPECT_NEAR(p.scale[2], 1.05, 0.01);
}

TEST_F(Colin27, AChangingLesionDoesNotPullTheRegistration) {
  synth::MotionParameters m;
  m.rotation_deg = {10, 5, -12};
  m.translation_mm = {12, 15, -20};
  m.scale = {0.95, 1.06, 1.0};
  RegistrationResult r;
  const auto tre = run(spec(m, true), &r);
  EXPECT_LE(tre.mean_mm, 0.5);
  EXPECT_FALSE(r.suspect) << r.suspect_reason;
}

// A smooth local deformation on top of an affine motion: the B-spline stage recovers what affine cannot, and
// its Jacobian determinant stays positive (no folding) and brackets the truth's volume change.
TEST_F(Colin27, DeformableStageRecoversASmoothWarp) {
  synth::MotionParameters m;
  m.rotation_deg = {5, -6, 4};
  m.translation_mm = {6, -4, 5};
  m.scale = {1.03, 0.98, 1.0};
  synth::PairSpec s = spec(m, false);
  const Vec3 c = centre();
  s.warps = {{{c[0] + 25, c[1] + 10, c[2] + 10}, {7, -6, 5}, 25},
             {{c[0] - 25, c[1] - 15, c[2] - 5}, {-6, 7, -5}, 25}};
  // Coarse grids keep the B-spline stage (ITK v4: dense parameter Jacobians, cost ∝ samples × parameters) short.
  s.fixed_grid = synth::centred_grid(c, {60, 72, 60}, {3, 3, 3});
  s.moving_grid = synth::centred_grid(s.truth.apply(c), {66, 80, 34}, {2.7, 2.7, 5.4});

  RegistrationResult affine, deformable;
  const auto tre_affine = run(s, &affine);
  RegistrationConfig config;
  config.deformable = true;
  config.bspline_grid_mm = 30;
  const auto tre_deformable = run(s, &deformable, config);

  EXPECT_GT(tre_affine.mean_mm, 0.8) << "the warp must be beyond what affine can model";
  EXPECT_LE(tre_deformable.mean_mm, 0.5 * tre_affine.mean_mm);
  EXPECT_LT(tre_deformable.max_mm, tre_affine.max_mm);
  EXPECT_FALSE(deformable.suspect) << deformable.suspect_reason;
  EXPECT_TRUE(deformable.transform.deformable());
  EXPECT_GT(deformable.ncc_after, affine.ncc_after);
  // The warps compress and stretch tissue by up to a few per cent: the recovered Jacobian must show change
  // on both sides of 1 and stay far from folding.
  EXPECT_GT(deformable.jacobian_min, 0.5);
  EXPECT_LT(deformable.jacobian_min, 0.99);
  EXPECT_GT(deformable.jacobian_max, 1.01);
  EXPECT_LT(deformable.jacobian_max, 1.5);
}

// The same inputs give the same transform, bit for bit, within a process and across -j (the CLI test
// SampleCohort.ExistingResultsNeedForceAndRerunsReproduce compares -j 1 with -j 2 end to end).
TEST_F(Colin27, TheTransformIsBitForBitReproducible) {
  synth::MotionParameters m;
  m.rotation_deg = {6, -4, 9};
  m.translation_mm = {8, -5, 3};
  m.scale = {1.03, 1.0, 0.98};
  synth::PairSpec s = spec(m, true);
  s.fixed_grid = synth::centred_grid(centre(), {72, 87, 72}, {2.5, 2.5, 2.5});
  s.moving_grid = synth::centred_grid(s.truth.apply(centre()), {90, 108, 45}, {2, 2, 4});
  RegistrationResult one, two;
  run(s, &one);
  run(s, &two);
  const Mat3 a = one.transform.matrix(), b = two.transform.matrix();
  const Vec3 oa = one.transform.offset(), ob = two.transform.offset();
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) EXPECT_EQ(a[r][c], b[r][c]) << "matrix(" << r << "," << c << ")";
    EXPECT_EQ(oa[r], ob[r]) << "offset " << r;
  }
  EXPECT_EQ(one.metric_after, two.metric_after);
  ASSERT_EQ(one.stages.size(), two.stages.size());
  for (std::size_t i = 0; i < one.stages.size(); ++i)
    EXPECT_EQ(one.stages[i].iterations, two.stages[i].iterations);
}

}  // namespace
}  // namespace oncotrack::registration

#include "json_values.h"
#include "oncotrack/report/report.h"

namespace oncotrack::report {

using nlohmann::json;

namespace {

json triple(const Vec3& v, int decimals) {
  return {rounded(v[0], decimals), rounded(v[1], decimals), rounded(v[2], decimals)};
}

constexpr int kMetricDecimals = 6;

}  // namespace

void add_registration_json(json& tp, const std::optional<TimepointRegistration>& r,
                           const std::string& reason_when_absent, const json& preprocessing) {
  if (preprocessing.is_null()) {
    tp["preprocessing"] = nullptr;
    tp["reasons"]["preprocessing"] =
        "no image of this timepoint was preprocessed (registration is off, or failed before preprocessing)";
  } else {
    tp["preprocessing"] = preprocessing;
  }
  if (!r) {
    tp["registration"] = nullptr;
    tp["reasons"]["registration"] = reason_when_absent;
    return;
  }
  json j = {{"reference_timepoint", r->reference_timepoint},
            {"fixed_image", r->fixed_image},
            {"moving_image", r->moving_image},
            {"direction",
             "maps a point of the reference (baseline) image to this timepoint's image (LPS mm, "
             "ITK convention)"}};
  if (!r->result) {
    j["status"] = "failed";
    j["failure"] = r->failure;
    j["suspect"] = true;
    j["suspect_reason"] = "registration failed: " + r->failure;
    tp["registration"] = j;
    return;
  }
  const registration::RegistrationResult& x = *r->result;
  const registration::AffineParameters p = x.transform.parameters();
  j["status"] = "ok";
  j["transform_file"] = r->transform_file.empty() ? json(nullptr) : json(r->transform_file);
  j["transform_type"] = x.transform.deformable() ? "affine+bspline" : "affine";
  j["parameters"] = {{"rotation_deg", triple(p.rotation_deg, 4)},
                     {"rotation_order", "ITK Euler3D: R = Rz Rx Ry"},
                     {"translation_mm", triple(p.translation_mm, kMmDecimals)},
                     {"center_mm_lps", triple(p.center_mm, kMmDecimals)},
                     {"scale", triple(p.scale, 6)},
                     {"shear", triple(p.shear, 6)},
                     {"reflection", p.reflection}};
  j["metric"] = {{"name", "Mattes mutual information (negated: lower is better)"},
                 {"before", rounded(x.metric_before, kMetricDecimals)},
                 {"after", rounded(x.metric_after, kMetricDecimals)}};
  j["ncc_body"] = {{"before", rounded(x.ncc_before, kMetricDecimals)},
                   {"after", rounded(x.ncc_after, kMetricDecimals)}};
  json stages = json::array();
  unsigned iterations = 0;
  for (const auto& st : x.stages) {
    iterations += st.iterations;
    stages.push_back({{"name", st.name},
                      {"iterations", st.iterations},
                      {"metric_before", rounded(st.metric_before, kMetricDecimals)},
                      {"metric_after", rounded(st.metric_after, kMetricDecimals)},
                      {"wall_s", rounded(st.seconds, 3)},
                      {"stop_condition", st.stop_condition}});
  }
  j["stages"] = stages;
  j["iterations"] = iterations;
  j["wall_s"] = rounded(x.seconds, 3);
  if (x.transform.deformable())
    j["jacobian_determinant"] = {{"min", rounded(x.jacobian_min, 4)}, {"max", rounded(x.jacobian_max, 4)}};
  else
    j["jacobian_determinant"] = nullptr;
  j["suspect"] = x.suspect;
  j["suspect_reason"] = x.suspect ? json(x.suspect_reason) : json(nullptr);
  tp["registration"] = j;
}

}  // namespace oncotrack::report

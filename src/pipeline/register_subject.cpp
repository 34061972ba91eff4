#include "oncotrack/pipeline/register_subject.h"

#include "image_choice.h"

#include "oncotrack/core/atomic_file.h"
#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"
#include "oncotrack/preprocess/preprocess.h"
#include "oncotrack/registration/transform.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;

namespace {

// The timepoint's tumour mask on the grid of `image` (nullopt when the timepoint has no mask).
std::optional<Mask> tumour_on(const io::LoadedTimepoint& lt, const ImageF& image) {
  if (!lt.mask) return std::nullopt;
  if (compare_geometry(lt.mask->geometry, image.geometry).within(1e-3, 1e-4)) return *lt.mask;
  return registration::resample_mask(*lt.mask, image.geometry, registration::Transform());
}

}  // namespace

SubjectRegistrations register_subject(const io::LoadedSubject& s, std::size_t baseline,
                                      const PipelineConfig& config, const fs::path& subject_dir) {
  const std::size_t n = s.timepoints.size();
  SubjectRegistrations out;
  out.per_timepoint.resize(n);
  out.not_registered.assign(n, "");
  const auto& rc = config.registration;
  const io::TimepointEntry& base = *s.timepoints[baseline].entry;
  for (std::size_t t = 0; t < n; ++t)
    out.not_registered[t] =
        t == baseline ? "this is the reference timepoint (baseline): the others are registered to it"
        : !rc.enabled ? "registration is disabled (registration.enabled = false)"
                      : "";
  out.preprocessing.assign(n, nullptr);
  const io::ImageEntry& fixed_entry = chosen_image(base, "");
  out.reference =
      s.timepoints[baseline].images[std::size_t(&fixed_entry - &base.images.front())].info.geometry;
  if (!rc.enabled || n < 2) return out;

  // Preprocessing keeps the physical frame (spatial steps only change the grid), so a transform estimated on
  // preprocessed images applies to the native ones.
  const preprocess::Preprocessed fixed_p = preprocess::preprocess(read_entry(fixed_entry), config.preprocess);
  out.preprocessing[baseline] = fixed_p.summary;
  const ImageF& fixed = fixed_p.image;
  const std::optional<Mask> fixed_tumour = tumour_on(s.timepoints[baseline], fixed);
  const std::string id = s.entry->id;
  for (std::size_t t = 0; t < n; ++t) {
    if (t == baseline) continue;
    const io::LoadedTimepoint& lt = s.timepoints[t];
    const io::ImageEntry& moving_entry = chosen_image(*lt.entry, fixed_entry.sequence);
    report::TimepointRegistration r;
    r.reference_timepoint = base.id;
    r.fixed_image = fixed_entry.path.string();
    r.moving_image = moving_entry.path.string();
    try {
      const preprocess::Preprocessed moving_p =
          preprocess::preprocess(read_entry(moving_entry), config.preprocess);
      out.preprocessing[t] = moving_p.summary;
      const ImageF& moving = moving_p.image;
      const std::optional<Mask> moving_tumour = tumour_on(lt, moving);
      registration::RegistrationInputs in;
      in.fixed = &fixed;
      in.moving = &moving;
      in.fixed_body = &fixed_p.body;
      in.moving_body = &moving_p.body;
      in.fixed_tumour = fixed_tumour ? &*fixed_tumour : nullptr;
      in.moving_tumour = moving_tumour ? &*moving_tumour : nullptr;
      r.result = registration::register_pair(in, rc);
      const std::string stem = "sub-" + id + "_" + lt.entry->id + "_to_" + base.id;
      const fs::path dir = subject_dir / "registration";
      fs::create_directories(dir);
      const fs::path file = dir / (stem + (r.result->transform.deformable() ? ".h5" : ".tfm"));
      write_atomically(file, [&](const fs::path& tmp) { r.result->transform.write(tmp); });
      r.transform_file = fs::relative(file, subject_dir).string();
      if (rc.write_resampled) {
        const auto& tr = r.result->transform;
        io::write_image(registration::resample_image(moving, fixed.geometry, tr),
                        dir / (stem + "_space-" + base.id + ".nii.gz"));
        if (moving_tumour)
          io::write_mask(registration::resample_mask(*moving_tumour, fixed.geometry, tr),
                         dir / (stem + "_space-" + base.id + "_mask.nii.gz"));
      }
    } catch (const WriteError&) {
      throw;  // not a registration failure: the subject fails, and a rerun with room registers it
    } catch (const Error& e) {
      r.result.reset();
      r.failure = e.what();
    }
    out.per_timepoint[t] = std::move(r);
  }
  return out;
}

}  // namespace oncotrack::pipeline

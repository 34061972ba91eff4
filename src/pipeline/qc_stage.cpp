#include "qc_stage.h"

#include <cctype>

#include "image_choice.h"
#include "oncotrack/io/image_io.h"
#include "oncotrack/pipeline/qc_pictures.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One picture per CEST-MRF map of timepoint t (native grid), with the measured tumour outlined; null when the
// timepoint has no maps.
json map_pictures(const report::SubjectAnalysis& a, std::size_t t, const io::LoadedTimepoint& lt,
                  const fs::path& subject_dir, const fs::path& rel, const std::string& stem) {
  if (t >= a.mrf.size() || !a.mrf[t].is_object() || !a.mrf[t].at("maps").is_object()) return nullptr;
  json out = json::object();
  std::vector<Overlay> overlays;
  if (lt.mask) overlays.push_back({&*lt.mask, kTumourOnMapColour});
  for (const auto& [name, files] : a.mrf[t].at("maps").items()) {
    const ImageF map = io::read_image(subject_dir / files.at("native").get<std::string>());
    const auto range = display_range(map, lt.mask ? &*lt.mask : nullptr);
    std::string label;  // a BIDS desc value is alphanumeric
    for (char c : name)
      if (std::isalnum(static_cast<unsigned char>(c))) label += c;
    const fs::path picture = rel / (stem + "mrf" + label + "_qc.png");
    write_picture(map_picture(map, overlays, lt.mask ? &*lt.mask : nullptr, range), subject_dir / picture);
    out[name] = {{"picture", picture.string()}, {"range", {range.first, range.second}}};
  }
  return out;
}

}  // namespace

void write_qc_pictures(const io::LoadedSubject& loaded, std::size_t base, const std::string& model_sequence,
                       const ModelSegmentations* model, const fs::path& subject_dir,
                       report::SubjectAnalysis& a) {
  const std::string& id = loaded.entry->id;
  const std::string sequence =
      model ? model_sequence : chosen_image(*loaded.timepoints[base].entry, "").sequence;
  const ImageF baseline = read_entry(chosen_image(*loaded.timepoints[base].entry, sequence));
  const io::LoadedTimepoint& b = loaded.timepoints[base];
  a.qc.assign(loaded.timepoints.size(), json(nullptr));
  for (std::size_t t = 0; t < loaded.timepoints.size(); ++t) {
    const io::LoadedTimepoint& lt = loaded.timepoints[t];
    const ImageF scan = t == base ? ImageF() : read_entry(chosen_image(*lt.entry, sequence));
    const ImageF& image = t == base ? baseline : scan;
    std::vector<Overlay> overlays;
    const std::optional<Mask>& manifest = model ? model->manifest_masks[t] : lt.mask;
    if (manifest) overlays.push_back({&*manifest, kReferenceColour});
    if (model) overlays.push_back({&model->timepoints[t].segmentation.mask, kModelColour});
    if (model && model->timepoints[t].segmentation.brain)
      overlays.push_back({&*model->timepoints[t].segmentation.brain, kBrainColour});
    const fs::path rel = fs::path("ses-" + lt.entry->id);
    const std::string stem = "sub-" + id + "_ses-" + lt.entry->id + "_desc-";
    write_picture(contour_picture(image, overlays, lt.mask ? &*lt.mask : nullptr),
                  subject_dir / rel / (stem + "contours_qc.png"));
    std::vector<const Mask*> focus;
    if (manifest) focus.push_back(&*manifest);
    if (model) focus.push_back(&model->timepoints[t].segmentation.mask);
    write_picture(mosaic_picture(image, overlays, focus), subject_dir / rel / (stem + "mosaic_qc.png"));
    json qc = {{"contours", (rel / (stem + "contours_qc.png")).string()},
               {"mosaic", (rel / (stem + "mosaic_qc.png")).string()},
               {"checkerboard", nullptr},
               {"maps", map_pictures(a, t, lt, subject_dir, rel, stem)}};
    const auto& reg = t < a.registrations.size() ? a.registrations[t] : std::nullopt;
    if (t != base && reg && reg->result) {
      write_picture(
          checkerboard_picture(baseline, image, reg->result->transform, b.mask ? &*b.mask : nullptr),
          subject_dir / rel / (stem + "checkerboard_qc.png"));
      qc["checkerboard"] = (rel / (stem + "checkerboard_qc.png")).string();
    }
    a.qc[t] = std::move(qc);
  }
}

}  // namespace oncotrack::pipeline

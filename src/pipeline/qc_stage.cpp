#include "qc_stage.h"

#include "image_choice.h"
#include "oncotrack/pipeline/qc_pictures.h"

namespace oncotrack::pipeline {

namespace fs = std::filesystem;
using nlohmann::json;

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
    json qc = {{"contours", (rel / (stem + "contours_qc.png")).string()}, {"checkerboard", nullptr}};
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

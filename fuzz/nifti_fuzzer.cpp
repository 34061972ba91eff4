// libFuzzer target: oncotrack's own NIfTI reading (the raw header of NIfTI-1 and -2 in either byte order, the
// gzip stream, the data length, the NaN/Inf scan) that runs before ITK's reader. The first byte picks plain
// or gzip-named files (the content decides whether it is compressed). oncotrack::Error is the expected
// refusal.
#include "nifti_data_check.h"
#include "oncotrack/core/error.h"
#include "scratch_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto path =
      oncotrack::fuzz::write_scratch(data[0] % 2 ? "image.nii.gz" : "image.nii", data + 1, size - 1);
  oncotrack::Geometry geometry;
  geometry.size = {7, 5, 3};  // used only to name the first NaN voxel
  try {
    (void)oncotrack::io::detail::check_nifti_data(path, geometry);
  } catch (const oncotrack::Error&) {
  }
  return 0;
}

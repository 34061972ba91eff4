#pragma once
// QC pictures (PNG) for looking at a result instead of reading it:
//   contours: three orthogonal slices (axial, coronal, sagittal; radiological convention: the patient's right
//     on the picture's left, anterior / superior at the top) through the centroid of the largest lesion of
//     `centre_mask` (the scan's centre when it is empty), greyscale windowed at the scan's 1st–99th
//     percentiles, each overlay mask's outline drawn in its colour;
//   checkerboard: the same three planes through the baseline's largest lesion, alternating 16-pixel squares
//     of the baseline and the follow-up seen through the registration (each windowed on its own), so a
//     misregistration shows as broken edges at the squares' borders.
// Slices are sampled in LPS millimetres (trilinear for images, nearest neighbour for masks) at the scan's
// finest spacing (coarser when a side would exceed 320 pixels), so oblique and anisotropic grids are shown to
// scale.
#include <array>
#include <filesystem>
#include <vector>

#include "oncotrack/core/geometry.h"
#include "oncotrack/registration/transform.h"

namespace oncotrack::pipeline {

struct Overlay {
  const Mask* mask = nullptr;
  std::array<std::uint8_t, 3> colour{255, 0, 0};
};

// Colours used by `run`: the manifest's (reference) masks, the network's, and the brain mask that gated the
// network's probability (brain_mask.h), when one was applied.
inline constexpr std::array<std::uint8_t, 3> kReferenceColour{40, 220, 40};
inline constexpr std::array<std::uint8_t, 3> kModelColour{255, 60, 60};
inline constexpr std::array<std::uint8_t, 3> kBrainColour{70, 150, 255};

// An RGB picture: the three panels side by side (4 black pixels apart), rows from the top.
struct Picture {
  std::size_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // width·height·3
};

Picture contour_picture(const ImageF& scan, const std::vector<Overlay>& overlays, const Mask* centre_mask);

// to_follow_up: baseline LPS → follow-up LPS.
Picture checkerboard_picture(const ImageF& baseline, const ImageF& follow_up,
                             const registration::Transform& to_follow_up, const Mask* centre_mask);

// PNG, atomically; throws Error naming the path when it cannot be written.
void write_picture(const Picture& picture, const std::filesystem::path& path);

// The LPS centroid of the largest 26-connected component of `mask`; the grid's centre when it is empty.
Vec3 largest_lesion_centre(const Mask& mask);

}  // namespace oncotrack::pipeline

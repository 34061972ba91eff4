#pragma once
// QC pictures (PNG) for looking at a result instead of reading it:
//   contours: three orthogonal slices (axial, coronal, sagittal; radiological convention: the patient's right
//     on the picture's left, anterior / superior at the top) through the centroid of the largest lesion of
//     `centre_mask` (the scan's centre when it is empty), greyscale windowed at the scan's 1st–99th
//     percentiles, each overlay mask's outline drawn in its colour;
//   mosaic: up to 8 axial slices, evenly spaced from the lowest to the highest slice any `focus` mask touches
//     (4 per row, inferior to superior, left to right then top to bottom), each a square around the focus
//     masks' in-plane extent with a margin of half that extent (at least 15 mm), outlines as above; without
//     any focus voxel, 8 slices over the middle 60 % of the scan at full field of view;
//   checkerboard: the same three planes through the baseline's largest lesion, alternating 16-pixel squares
//     of the baseline and the follow-up seen through the registration (each windowed on its own), so a
//     misregistration shows as broken edges at the squares' borders;
//   map: one slice of a quantitative map (CEST-MRF) in the map's own slice plane (columns i, rows j; such
//     maps are often single oblique slices), the slice nearest the largest lesion of `centre_mask`, coloured by
//     the map scale of core/colours.h over a display range, outlines as above.
// Slices are sampled in LPS millimetres (trilinear for images, nearest neighbour for masks, which may lie on
// other grids of the same scanner frame) at the scan's finest spacing (coarser when a side would exceed 320
// pixels; mosaic tiles are 160 pixels), so oblique and anisotropic grids are shown to scale.
#include <array>
#include <filesystem>
#include <utility>
#include <vector>

#include "oncotrack/core/colours.h"
#include "oncotrack/core/geometry.h"
#include "oncotrack/registration/transform.h"

namespace oncotrack::pipeline {

struct Overlay {
  const Mask* mask = nullptr;
  Rgb colour{255, 0, 0};
};

// An RGB picture: the three panels side by side (4 black pixels apart), rows from the top.
struct Picture {
  std::size_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // width·height·3
};

Picture contour_picture(const ImageF& scan, const std::vector<Overlay>& overlays, const Mask* centre_mask);

Picture mosaic_picture(const ImageF& scan, const std::vector<Overlay>& overlays,
                       const std::vector<const Mask*>& focus);

// to_follow_up: baseline LPS → follow-up LPS.
Picture checkerboard_picture(const ImageF& baseline, const ImageF& follow_up,
                             const registration::Transform& to_follow_up, const Mask* centre_mask);

// range: the values at the low and high ends of the colour scale (display_range).
Picture map_picture(const ImageF& map, const std::vector<Overlay>& overlays, const Mask* centre_mask,
                    std::pair<double, double> range);

// A map's display range: the 2nd and 98th percentiles of its finite non-zero voxels ({0, 1} when there are
// none; widened by 1 when they coincide), widened to the same percentiles of the voxels inside `region` (a
// mask in the same scanner frame, nearest neighbour; nullptr: none), so a small tumour is not saturated.
std::pair<double, double> display_range(const ImageF& map, const Mask* region);

// PNG, atomically; throws Error naming the path when it cannot be written.
void write_picture(const Picture& picture, const std::filesystem::path& path);

// The LPS centroid of the largest 26-connected component of `mask`; the grid's centre when it is empty.
Vec3 largest_lesion_centre(const Mask& mask);

}  // namespace oncotrack::pipeline

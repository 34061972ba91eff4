#pragma once
// Colours shared by the QC pictures (pipeline/qc_pictures.h) and the HTML reports that explain them
// (report/html.h).
//
// Outlines: the manifest's (reference) masks, the network's, and the brain mask that gated the network's
// probability (pipeline/brain_mask.h); on map pictures the measured tumour, in cyan, which no colour of the
// map scale comes near.
//
// The colour scale of quantitative map pictures (CEST-MRF exchange rate, volume fraction …) and of their
// colour bars in the HTML reports: dark indigo (t = 0, the display range's low end) through purple, rose and
// orange to pale yellow (t = 1), with luminance rising monotonically so that the order of values survives
// greyscale printing. Linear in RGB between the stops.
#include <array>
#include <cstdint>

namespace oncotrack {

using Rgb = std::array<std::uint8_t, 3>;

inline constexpr Rgb kReferenceColour{40, 220, 40};
inline constexpr Rgb kModelColour{255, 60, 60};
inline constexpr Rgb kBrainColour{70, 150, 255};
inline constexpr Rgb kTumourOnMapColour{0, 230, 255};  // the measured tumour on a (coloured) map picture

struct ColourStop {
  double t;
  Rgb rgb;
};

inline constexpr std::array<ColourStop, 5> kMapColourStops{{{0.0, {15, 10, 60}},
                                                            {0.25, {90, 30, 140}},
                                                            {0.5, {200, 60, 90}},
                                                            {0.75, {245, 150, 40}},
                                                            {1.0, {250, 240, 160}}}};

// The colour at t (clamped to [0, 1]; NaN gives the low end).
Rgb map_colour(double t);

}  // namespace oncotrack

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "oncotrack/analysis/lesions.h"
#include "oncotrack/core/error.h"

namespace oncotrack::analysis {

namespace {

struct Track {
  Vec3 centroid_mm_lps{0, 0, 0};  // where it was last seen
  std::size_t first_timepoint = 0, last_timepoint = 0;
};

struct Candidate {
  double distance_mm = 0;
  std::size_t lesion = 0, track = 0;
};

double distance_mm(const Vec3& a, const Vec3& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                   (a[2] - b[2]) * (a[2] - b[2]));
}

}  // namespace

std::vector<std::vector<DisappearedLesion>> match_lesions(const std::vector<TumorMeasurement*>& timepoints,
                                                          const std::vector<std::string>& timepoint_ids,
                                                          const AnalysisConfig& config) {
  ONCOTRACK_ASSERT(timepoints.size() == timepoint_ids.size(), "one id per timepoint");
  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  std::vector<Track> tracks;  // track id = index + 1
  std::vector<std::vector<DisappearedLesion>> disappeared(timepoints.size());
  for (std::size_t t = 0; t < timepoints.size(); ++t) {
    if (timepoints[t] == nullptr) continue;
    std::vector<Lesion>& lesions = timepoints[t]->lesions;
    std::vector<Candidate> candidates;
    for (std::size_t l = 0; l < lesions.size(); ++l)
      for (std::size_t k = 0; k < tracks.size(); ++k) {
        const double d = distance_mm(lesions[l].centroid_mm_lps, tracks[k].centroid_mm_lps);
        if (d <= config.match_distance_mm) candidates.push_back({d, l, k});
      }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      return std::tie(a.distance_mm, a.lesion, a.track) < std::tie(b.distance_mm, b.lesion, b.track);
    });
    std::vector<std::size_t> track_of_lesion(lesions.size(), kNone);
    std::vector<bool> track_taken(tracks.size(), false);
    for (const Candidate& c : candidates) {
      if (track_of_lesion[c.lesion] != kNone || track_taken[c.track]) continue;
      track_of_lesion[c.lesion] = c.track;
      track_taken[c.track] = true;
    }
    for (std::size_t l = 0; l < lesions.size(); ++l) {
      std::size_t k = track_of_lesion[l];
      if (k == kNone) {
        k = tracks.size();
        tracks.push_back({lesions[l].centroid_mm_lps, t, t});
      }
      Track& track = tracks[k];
      track.centroid_mm_lps = lesions[l].centroid_mm_lps;
      track.last_timepoint = t;
      lesions[l].track = static_cast<int>(k + 1);
      lesions[l].is_new = track.first_timepoint != 0;
    }
    for (std::size_t k = 0; k < tracks.size(); ++k)
      if (tracks[k].last_timepoint != t)
        disappeared[t].push_back({static_cast<int>(k + 1), timepoint_ids[tracks[k].last_timepoint]});
  }
  return disappeared;
}

}  // namespace oncotrack::analysis

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>
#include <unordered_map>

#include "oncotrack/analysis/lesions.h"
#include "oncotrack/core/error.h"

namespace oncotrack::analysis {

namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

struct Track {
  Vec3 centroid_mm_lps{0, 0, 0};  // where it was last seen
  std::size_t first_timepoint = 0, last_timepoint = 0;
  int merged_into = 0;  // track it coalesced into (0: none)
};

struct Candidate {
  double distance_mm = 0;
  std::size_t lesion = 0, track = 0;
};

double distance_mm(const Vec3& a, const Vec3& b) {
  return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                   (a[2] - b[2]) * (a[2] - b[2]));
}

// Which lesion (index) of a measured timepoint holds a voxel: runs indexed by (j, k).
class LesionLookup {
 public:
  explicit LesionLookup(const TumorMeasurement& m) : geometry_(m.geometry) {
    for (std::size_t l = 0; l < m.lesions.size(); ++l)
      for (const VoxelRun& run : m.lesions[l].runs)
        rows_[key(run.j, run.k)].push_back({run.i_begin, run.i_end, l});
  }
  // Lesion index at the voxel nearest to an LPS point, or kNone.
  std::size_t at(const Vec3& lps) const {
    const Vec3 ijk = geometry_.lps_to_index(lps);
    long idx[3];
    for (int a = 0; a < 3; ++a) {
      idx[a] = std::lround(ijk[a]);
      if (idx[a] < 0 || idx[a] >= static_cast<long>(geometry_.size[a])) return kNone;
    }
    const auto row = rows_.find(key(static_cast<std::size_t>(idx[1]), static_cast<std::size_t>(idx[2])));
    if (row == rows_.end()) return kNone;
    for (const Entry& e : row->second)
      if (static_cast<std::size_t>(idx[0]) >= e.i_begin && static_cast<std::size_t>(idx[0]) < e.i_end)
        return e.lesion;
    return kNone;
  }

 private:
  struct Entry {
    std::size_t i_begin, i_end, lesion;
  };
  static std::uint64_t key(std::size_t j, std::size_t k) { return (static_cast<std::uint64_t>(k) << 32) | j; }
  Geometry geometry_;
  std::unordered_map<std::uint64_t, std::vector<Entry>> rows_;
};

// overlap[(current lesion, previous lesion)] = voxels of the current lesion whose centres fall in the
// previous.
std::map<std::pair<std::size_t, std::size_t>, std::size_t> overlaps(const TumorMeasurement& current,
                                                                    const TumorMeasurement& previous) {
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> out;
  const LesionLookup lookup(previous);
  const Geometry& g = current.geometry;
  for (std::size_t l = 0; l < current.lesions.size(); ++l)
    for (const VoxelRun& run : current.lesions[l].runs)
      for (std::size_t i = run.i_begin; i < run.i_end; ++i) {
        const std::size_t p = lookup.at(g.index_to_lps({double(i), double(run.j), double(run.k)}));
        if (p != kNone) ++out[{l, p}];
      }
  return out;
}

}  // namespace

std::vector<std::vector<DisappearedLesion>> match_lesions(const std::vector<TumorMeasurement*>& timepoints,
                                                          const std::vector<std::string>& timepoint_ids,
                                                          const AnalysisConfig& config) {
  ONCOTRACK_ASSERT(timepoints.size() == timepoint_ids.size(), "one id per timepoint");
  std::vector<Track> tracks;  // track id = index + 1
  std::vector<std::vector<DisappearedLesion>> disappeared(timepoints.size());
  const TumorMeasurement* previous = nullptr;
  for (std::size_t t = 0; t < timepoints.size(); ++t) {
    if (timepoints[t] == nullptr) continue;
    std::vector<Lesion>& lesions = timepoints[t]->lesions;
    std::vector<std::size_t> track_of_lesion(lesions.size(), kNone);
    std::vector<bool> track_taken(tracks.size(), false);

    // 1. Overlap with the previous measured timepoint: a lesion continues the largest previous lesion it
    //    overlaps (its dominant ancestor when several coalesced); splits share the track.
    std::vector<std::size_t> merged_into_lesion(tracks.size(), kNone);
    if (previous != nullptr) {
      const auto overlap = overlaps(*timepoints[t], *previous);
      std::vector<std::size_t> best(lesions.size(), kNone);
      for (const auto& [pair, count] : overlap) {
        const std::size_t b = best[pair.first];
        if (b == kNone || previous->lesions[pair.second].voxel_count > previous->lesions[b].voxel_count)
          best[pair.first] = pair.second;
      }
      for (std::size_t l = 0; l < lesions.size(); ++l)
        if (best[l] != kNone) {
          track_of_lesion[l] = static_cast<std::size_t>(previous->lesions[best[l]].track - 1);
          track_taken[track_of_lesion[l]] = true;
        }
      for (const auto& [pair, count] : overlap) {
        const std::size_t k = static_cast<std::size_t>(previous->lesions[pair.second].track - 1);
        if (!track_taken[k] && merged_into_lesion[k] == kNone) merged_into_lesion[k] = pair.first;
      }
    }

    // 2. Nearest free track by centroid for lesions that overlap nothing.
    std::vector<Candidate> candidates;
    for (std::size_t l = 0; l < lesions.size(); ++l) {
      if (track_of_lesion[l] != kNone) continue;
      for (std::size_t k = 0; k < tracks.size(); ++k) {
        if (track_taken[k] || merged_into_lesion[k] != kNone) continue;
        const double d = distance_mm(lesions[l].centroid_mm_lps, tracks[k].centroid_mm_lps);
        if (d <= config.match_distance_mm) candidates.push_back({d, l, k});
      }
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      return std::tie(a.distance_mm, a.lesion, a.track) < std::tie(b.distance_mm, b.lesion, b.track);
    });
    for (const Candidate& c : candidates) {
      if (track_of_lesion[c.lesion] != kNone || track_taken[c.track]) continue;
      track_of_lesion[c.lesion] = c.track;
      track_taken[c.track] = true;
    }

    // 3. New tracks for the rest.
    for (std::size_t l = 0; l < lesions.size(); ++l) {
      std::size_t k = track_of_lesion[l];
      if (k == kNone) {
        k = tracks.size();
        tracks.push_back({lesions[l].centroid_mm_lps, t, t, 0});
      }
      Track& track = tracks[k];
      track.centroid_mm_lps = lesions[l].centroid_mm_lps;
      track.last_timepoint = t;
      track.merged_into = 0;
      lesions[l].track = static_cast<int>(k + 1);
      lesions[l].is_new = track.first_timepoint != 0;
    }
    for (std::size_t k = 0; k < merged_into_lesion.size(); ++k)
      if (merged_into_lesion[k] != kNone) tracks[k].merged_into = lesions[merged_into_lesion[k]].track;
    for (std::size_t k = 0; k < tracks.size(); ++k)
      if (tracks[k].last_timepoint != t)
        disappeared[t].push_back(
            {static_cast<int>(k + 1), timepoint_ids[tracks[k].last_timepoint], tracks[k].merged_into});
    previous = timepoints[t];
  }
  return disappeared;
}

}  // namespace oncotrack::analysis

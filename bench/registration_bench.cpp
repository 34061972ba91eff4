// Registration benchmark: oncotrack's rigid -> affine registration side by side with elastix on the same
// pairs, both run as child processes with the same thread count. Per case and tool: wall time (steady clock,
// spawn to exit, so image reading and result writing are included), peak resident memory of the child
// (wait4's ru_maxrss) and the target registration error (TRE) on brain points against the true motion.
// Not a test: prints a table, asserts nothing (bench/README.md).
//
// Transform conventions: oncotrack's .tfm, elastix's TransformParameters and the reference transforms of
// the open_ms data all map a FIXED-space LPS point to the MOVING-space point (ITK's convention).
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "oncotrack/core/error.h"
#include "oncotrack/io/image_io.h"
#include "oncotrack/registration/transform.h"
#include "oncotrack/synth/registration_pair.h"
#include "oncotrack/synth/tre.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using oncotrack::Geometry;
using oncotrack::ImageF;
using oncotrack::Mask;
using oncotrack::Mat3;
using oncotrack::Size3;
using oncotrack::Vec3;
using oncotrack::synth::AffineMotion;
using oncotrack::synth::PointMap;
using oncotrack::synth::TreStats;

constexpr double kPi = 3.141592653589793;
// oncotrack's default: tumour masks dilated by this much are left out of the metric (register.h).
constexpr double kTumourDilationMm = 5;

// ---------------------------------------------------------------------------------------------------------
// Child processes

struct ProcessRun {
  int exit_code = -1;  // 128 + signal when killed by a signal
  double wall_s = 0;
  double cpu_s = 0;  // user + system time of the child
  double peak_rss_mib = 0;
  std::string error;  // spawn failure
};

// Runs argv with stdout and stderr into `log`; waits and collects the child's resource usage.
ProcessRun run_process(const std::vector<std::string>& argv, const fs::path& log) {
  ProcessRun run;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    run.error = "cannot start " + argv[0] + ": " + std::strerror(rc);
    return run;
  }
  int status = 0;
  struct rusage usage {};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      run.error = std::string("wait4: ") + std::strerror(errno);
      return run;
    }
  }
  run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
              1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  run.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: KiB
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

// Starts the tools from a helper process forked at start-up, before the bench holds any image. Reason: a
// child's ru_maxrss includes memory of the process it was started from (posix_spawn runs the child in the
// parent's address space until exec, and Linux carries that address space's high-water mark across exec;
// fork copies the current resident set), so spawning from the bench itself would add the bench's own peak
// (hundreds of MiB of images) to every tool's figure. Requests and replies travel over two pipes.
class Launcher {
 public:
  Launcher() {
    int request[2], reply[2];
    if (::pipe(request) != 0 || ::pipe(reply) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::close(request[1]);
      ::close(reply[0]);
      try {
        serve(request[0], reply[1]);
      } catch (...) {  // never unwind into the bench's main in the forked copy
      }
      ::_exit(0);
    }
    ::close(request[0]);
    ::close(reply[1]);
    to_ = request[1];
    from_ = reply[0];
  }
  ~Launcher() {
    ::close(to_);  // the launcher sees end-of-file and exits
    ::close(from_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;

  ProcessRun run(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<std::string> message = argv;
    message.push_back(log.string());
    send_strings(to_, message);
    ProcessRun r;
    std::int32_t code = 0;
    read_all(from_, &code, sizeof code);
    read_all(from_, &r.wall_s, sizeof r.wall_s);
    read_all(from_, &r.cpu_s, sizeof r.cpu_s);
    read_all(from_, &r.peak_rss_mib, sizeof r.peak_rss_mib);
    r.exit_code = code;
    const std::vector<std::string> error = receive_strings(from_);
    if (!error.empty()) r.error = error[0];
    return r;
  }

 private:
  static void serve(int in, int out) {
    for (;;) {
      std::vector<std::string> message;
      try {
        message = receive_strings(in);
      } catch (const std::exception&) {
        return;  // end of file: the bench is done
      }
      const fs::path log = message.back();
      message.pop_back();
      const ProcessRun r = run_process(message, log);
      const std::int32_t code = r.exit_code;
      write_all(out, &code, sizeof code);
      write_all(out, &r.wall_s, sizeof r.wall_s);
      write_all(out, &r.cpu_s, sizeof r.cpu_s);
      write_all(out, &r.peak_rss_mib, sizeof r.peak_rss_mib);
      send_strings(out, r.error.empty() ? std::vector<std::string>{} : std::vector<std::string>{r.error});
    }
  }
  static void write_all(int fd, const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      const ssize_t w = ::write(fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) throw std::runtime_error("launcher pipe write failed");
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  static void read_all(int fd, void* data, std::size_t n) {
    char* p = static_cast<char*>(data);
    while (n > 0) {
      const ssize_t r = ::read(fd, p, n);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) throw std::runtime_error("launcher pipe closed");
      p += r;
      n -= static_cast<std::size_t>(r);
    }
  }
  static void send_strings(int fd, const std::vector<std::string>& strings) {
    const auto count = static_cast<std::uint32_t>(strings.size());
    write_all(fd, &count, sizeof count);
    for (const std::string& str : strings) {
      const auto length = static_cast<std::uint32_t>(str.size());
      write_all(fd, &length, sizeof length);
      write_all(fd, str.data(), str.size());
    }
  }
  static std::vector<std::string> receive_strings(int fd) {
    std::uint32_t count = 0;
    read_all(fd, &count, sizeof count);
    std::vector<std::string> strings(count);
    for (std::string& str : strings) {
      std::uint32_t length = 0;
      read_all(fd, &length, sizeof length);
      str.resize(length);
      if (length > 0) read_all(fd, str.data(), length);
    }
    return strings;
  }

  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw oncotrack::Error("cannot open file", path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string last_lines(const fs::path& path, std::size_t n) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out += "    " + lines[i] + "\n";
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Transform files

// ITK matrix-offset parameters: y = A (x - centre) + centre + translation.
AffineMotion from_matrix_translation_centre(const std::vector<double>& p, const Vec3& centre) {
  AffineMotion m;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) m.matrix[r][c] = p[static_cast<std::size_t>(3 * r + c)];
  const Vec3 ac = oncotrack::synth::apply(m.matrix, centre);
  for (int r = 0; r < 3; ++r) m.offset[r] = p[static_cast<std::size_t>(9 + r)] + centre[r] - ac[r];
  return m;
}

std::vector<double> parse_numbers(const std::string& text) {
  std::istringstream s(text);
  std::vector<double> v;
  for (double x; s >> x;) v.push_back(x);
  return v;
}

// The reference transforms of the open_ms data: ITK "Insight Transform File V1.0" holding one
// MatrixOffsetTransformBase/AffineTransform (Parameters: 9 matrix entries row by row + 3 translations;
// FixedParameters: the centre). Parsed here, independently of the code under test.
AffineMotion read_itk_affine_text(const fs::path& path) {
  std::istringstream in(read_text(path));
  std::vector<double> parameters, fixed;
  std::string type;
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
    const std::string key = line.substr(0, colon), value = line.substr(colon + 1);
    if (key == "Transform") type = value;
    if (key == "Parameters") parameters = parse_numbers(value);
    if (key == "FixedParameters") fixed = parse_numbers(value);
  }
  if (type.find("MatrixOffsetTransformBase_double_3_3") == std::string::npos &&
      type.find("AffineTransform_double_3_3") == std::string::npos)
    throw oncotrack::Error("unsupported transform type", path.string(), "a 3-D affine ITK transform", type);
  if (parameters.size() != 12 || fixed.size() != 3)
    throw oncotrack::Error("wrong number of transform parameters", path.string(), "12 + 3",
                           std::to_string(parameters.size()) + " + " + std::to_string(fixed.size()));
  return from_matrix_translation_centre(parameters, {fixed[0], fixed[1], fixed[2]});
}

// elastix parameter files: lines "(Name value value ...)", strings quoted, "//" comments.
std::map<std::string, std::vector<std::string>> read_elastix_parameters(const fs::path& path) {
  std::map<std::string, std::vector<std::string>> values;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) {
    const auto open = line.find('('), comment = line.find("//");
    if (open == std::string::npos || (comment != std::string::npos && comment < open)) continue;
    const auto close = line.rfind(')');
    if (close == std::string::npos || close < open) continue;
    std::istringstream fields(line.substr(open + 1, close - open - 1));
    std::string name;
    fields >> name;
    std::vector<std::string> items;
    while (!(fields >> std::ws).eof()) {
      std::string item;
      if (fields.peek() == '"') {
        fields.get();
        std::getline(fields, item, '"');
      } else {
        fields >> item;
      }
      items.push_back(item);
    }
    values[name] = items;
  }
  return values;
}

std::vector<double> numbers_of(const std::map<std::string, std::vector<std::string>>& values,
                               const std::string& name, std::size_t count, const fs::path& path) {
  const auto it = values.find(name);
  if (it == values.end() || it->second.size() != count)
    throw oncotrack::Error("missing or malformed " + name, path.string(), std::to_string(count) + " numbers");
  std::vector<double> v;
  for (const std::string& s : it->second) v.push_back(std::stod(s));
  return v;
}

// The whole fixed -> moving mapping of an elastix TransformParameters file, following its chain of
// InitialTransformParametersFileName. elastix applies the initial transform first: with "Compose",
// T(x) = T_current(T_initial(x)); with "Add", T(x) = T_current(x) + T_initial(x) - x.
AffineMotion read_elastix_transform(const fs::path& path, int depth = 0) {
  if (depth > 16) throw oncotrack::Error("initial-transform chain too long", path.string());
  const auto values = read_elastix_parameters(path);
  const auto type = values.find("Transform");
  if (type == values.end() || type->second.empty())
    throw oncotrack::Error("no (Transform ...) entry", path.string());
  const std::vector<double> centre = numbers_of(values, "CenterOfRotationPoint", 3, path);
  const Vec3 c{centre[0], centre[1], centre[2]};
  AffineMotion current;
  if (type->second[0] == "EulerTransform") {
    const std::vector<double> p = numbers_of(values, "TransformParameters", 6, path);
    const auto zyx = values.find("ComputeZYX");
    const bool compute_zyx = zyx != values.end() && !zyx->second.empty() && zyx->second[0] == "true";
    const double deg = 180 / kPi;
    using oncotrack::synth::multiply;
    using oncotrack::synth::rotation_about;
    const Mat3 rx = rotation_about({1, 0, 0}, p[0] * deg), ry = rotation_about({0, 1, 0}, p[1] * deg),
               rz = rotation_about({0, 0, 1}, p[2] * deg);
    const Mat3 r = compute_zyx ? multiply(rz, multiply(ry, rx)) : multiply(rz, multiply(rx, ry));
    std::vector<double> m(12);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) m[static_cast<std::size_t>(3 * i + j)] = r[i][j];
    for (std::size_t i = 0; i < 3; ++i) m[9 + i] = p[3 + i];
    current = from_matrix_translation_centre(m, c);
  } else if (type->second[0] == "AffineTransform") {
    current = from_matrix_translation_centre(numbers_of(values, "TransformParameters", 12, path), c);
  } else {
    throw oncotrack::Error("unsupported elastix transform", path.string(),
                           "EulerTransform or AffineTransform", type->second[0]);
  }
  const auto initial = values.find("InitialTransformParametersFileName");
  if (initial == values.end() || initial->second.empty() || initial->second[0] == "NoInitialTransform")
    return current;
  const AffineMotion first = read_elastix_transform(initial->second[0], depth + 1);
  const auto how = values.find("HowToCombineTransforms");
  const std::string combine = how == values.end() || how->second.empty() ? "Compose" : how->second[0];
  if (combine == "Compose") return first.then(current);
  if (combine == "Add") {
    AffineMotion sum;
    for (int r = 0; r < 3; ++r) {
      for (int k = 0; k < 3; ++k)
        sum.matrix[r][k] = current.matrix[r][k] + first.matrix[r][k] - (r == k ? 1.0 : 0.0);
      sum.offset[r] = current.offset[r] + first.offset[r];
    }
    return sum;
  }
  throw oncotrack::Error("unsupported HowToCombineTransforms", path.string(), "Compose or Add", combine);
}

// ---------------------------------------------------------------------------------------------------------
// Cases

struct LesionSetup {
  Vec3 centre_mm_lps;
  Vec3 semi_axes_mm;
  double moving_factor = 1.5;
};

struct SyntheticSetup {
  oncotrack::synth::MotionParameters motion;
  Size3 fixed_size;
  Vec3 fixed_spacing_mm;
  Size3 moving_size;
  Vec3 moving_spacing_mm;
  double noise_fraction = 0.03;
  std::optional<LesionSetup> lesion;
};

struct Case {
  std::string name;
  std::string description;
  std::optional<SyntheticSetup> synthetic;  // else the open_ms real pair
};

// Colin27 brain centre (centroid of ch2bet, LPS, rounded): grid centre and rotation centre.
constexpr Vec3 kBrainCentre{0, 20, 10};

std::vector<Case> all_cases() {
  using oncotrack::synth::MotionParameters;
  const MotionParameters rigid{{10, -7, 15}, {12, -20, 8}, {1, 1, 1}, kBrainCentre};
  const MotionParameters affine{{-6, 8, -12}, {-10, 15, -6}, {1.08, 0.93, 1.05}, kBrainCentre};
  // 128x128x64 @ 1.5x1.5x2.5 mm covers the brain; the moving scan has 4 mm slices and another in-plane
  // spacing. The 256 case halves every spacing of the fixed grid (2 mm moving slices).
  const Size3 fixed_size{128, 128, 64}, moving_size{128, 128, 40};
  const Vec3 fixed_spacing{1.5, 1.5, 2.5}, moving_spacing{1.6, 1.6, 4.0};
  const LesionSetup grows{{-28, -10, 22}, {12, 10, 9}, 1.5}, shrinks{{-28, -10, 22}, {12, 10, 9}, 0.5};
  return {
      {"rigid", "Colin27, rigid (10/-7/15 deg, 12/-20/8 mm), 1.6x1.6x4 mm moving, noise 3 %",
       SyntheticSetup{rigid, fixed_size, fixed_spacing, moving_size, moving_spacing, 0.03, std::nullopt}},
      {"affine", "Colin27, affine (-6/8/-12 deg, -10/15/-6 mm, scales 1.08/0.93/1.05), noise 3 %",
       SyntheticSetup{affine, fixed_size, fixed_spacing, moving_size, moving_spacing, 0.03, std::nullopt}},
      {"rigid-lesion-shrinks", "as rigid, lesion 24x20x18 mm at baseline, semi-axes x0.5 at follow-up",
       SyntheticSetup{rigid, fixed_size, fixed_spacing, moving_size, moving_spacing, 0.03, shrinks}},
      {"affine-lesion-grows", "as affine, lesion 24x20x18 mm at baseline, semi-axes x1.5 at follow-up",
       SyntheticSetup{affine, fixed_size, fixed_spacing, moving_size, moving_spacing, 0.03, grows}},
      {"open-ms", "open_ms patient01 FLAIR study1 (4 mm slices) <- study2 (3 mm slices), reference affines",
       std::nullopt},
      {"affine-256", "as affine, 256x256x128 @ 0.75x0.75x1.25 mm; moving 256x256x80 @ 0.8x0.8x2 mm",
       SyntheticSetup{
           affine, {256, 256, 128}, {0.75, 0.75, 1.25}, {256, 256, 80}, {0.8, 0.8, 2.0}, 0.03, std::nullopt}},
  };
}

struct Prepared {
  fs::path fixed, moving;                // image files both tools read
  std::optional<fs::path> fixed_lesion;  // lesion masks (oncotrack manifest)
  std::optional<fs::path> moving_lesion;
  std::optional<fs::path> fixed_metric;  // elastix -fMask / -mMask: everything but the dilated lesion
  std::optional<fs::path> moving_metric;
  std::vector<Vec3> points;     // fixed LPS evaluation points
  PointMap truth;               // fixed -> moving, true
  std::string sequence = "t1";  // manifest sequence name
  std::string grids;            // for the table header
};

// 1 everywhere except within `radius_mm` of a lesion voxel (a ball in physical units).
Mask metric_mask(const Mask& lesion, double radius_mm) {
  const Geometry& g = lesion.geometry;
  Mask out(g, 1);
  std::vector<std::array<long, 3>> offsets;
  std::array<long, 3> reach{};
  for (int c = 0; c < 3; ++c) reach[c] = static_cast<long>(std::floor(radius_mm / g.spacing_mm[c]));
  for (long dk = -reach[2]; dk <= reach[2]; ++dk)
    for (long dj = -reach[1]; dj <= reach[1]; ++dj)
      for (long di = -reach[0]; di <= reach[0]; ++di) {
        const double x = double(di) * g.spacing_mm[0], y = double(dj) * g.spacing_mm[1],
                     z = double(dk) * g.spacing_mm[2];
        if (x * x + y * y + z * z <= radius_mm * radius_mm) offsets.push_back({di, dj, dk});
      }
  for (std::size_t k = 0; k < g.size[2]; ++k)
    for (std::size_t j = 0; j < g.size[1]; ++j)
      for (std::size_t i = 0; i < g.size[0]; ++i) {
        if (!lesion.at(i, j, k)) continue;
        for (const auto& o : offsets) {
          const long a = long(i) + o[0], b = long(j) + o[1], c = long(k) + o[2];
          if (a < 0 || b < 0 || c < 0 || a >= long(g.size[0]) || b >= long(g.size[1]) || c >= long(g.size[2]))
            continue;
          out.at(std::size_t(a), std::size_t(b), std::size_t(c)) = 0;
        }
      }
  return out;
}

std::string describe_grid(const Geometry& g) {
  char s[96];
  std::snprintf(s, sizeof s, "%zux%zux%zu@%.3gx%.3gx%.3g", g.size[0], g.size[1], g.size[2], g.spacing_mm[0],
                g.spacing_mm[1], g.spacing_mm[2]);
  return s;
}

struct Paths {
  fs::path colin_dir;
  fs::path open_ms_dir;
  std::size_t step = 4;
};

Prepared prepare_synthetic(const SyntheticSetup& setup, const fs::path& dir, const Paths& paths) {
  using namespace oncotrack::synth;
  const ImageF source = oncotrack::io::read_image(paths.colin_dir / "ch2.nii.gz");
  const ImageF brain_image = oncotrack::io::read_image(paths.colin_dir / "ch2bet.nii.gz");
  Mask brain(brain_image.geometry, 0);
  for (std::size_t v = 0; v < brain.voxels.size(); ++v) brain.voxels[v] = brain_image.voxels[v] > 0 ? 1 : 0;

  PairSpec spec;
  spec.truth = make_motion(setup.motion);
  spec.fixed_grid = centred_grid(kBrainCentre, setup.fixed_size, setup.fixed_spacing_mm);
  // The moving grid is centred on where the brain centre moved.
  spec.moving_grid = centred_grid(spec.truth.apply(kBrainCentre), setup.moving_size, setup.moving_spacing_mm);
  spec.slice_samples = 5;
  spec.noise_fraction = setup.noise_fraction;
  spec.seed = 20261123;
  if (setup.lesion)
    spec.lesion =
        LesionChange{{setup.lesion->centre_mm_lps, setup.lesion->semi_axes_mm, rotation_about({0, 0, 1}, 20)},
                     setup.lesion->moving_factor,
                     1.6};
  const RegistrationPair pair = make_registration_pair(source, spec);

  Prepared p;
  p.fixed = dir / "fixed.nii";
  p.moving = dir / "moving.nii";
  oncotrack::io::write_image(pair.fixed, p.fixed);
  oncotrack::io::write_image(pair.moving, p.moving);
  if (setup.lesion) {
    p.fixed_lesion = dir / "fixed_lesion.nii";
    p.moving_lesion = dir / "moving_lesion.nii";
    p.fixed_metric = dir / "fixed_metric_mask.nii";
    p.moving_metric = dir / "moving_metric_mask.nii";
    oncotrack::io::write_mask(pair.fixed_lesion, *p.fixed_lesion);
    oncotrack::io::write_mask(pair.moving_lesion, *p.moving_lesion);
    oncotrack::io::write_mask(metric_mask(pair.fixed_lesion, kTumourDilationMm), *p.fixed_metric);
    oncotrack::io::write_mask(metric_mask(pair.moving_lesion, kTumourDilationMm), *p.moving_metric);
  }
  // Evaluation points: brain voxels of the source (= fixed space) inside the fixed grid's box.
  const Geometry& fg = spec.fixed_grid;
  for (const Vec3& q : brain_points(brain, paths.step)) {
    const Vec3 ijk = fg.lps_to_index(q);
    bool inside = true;
    for (int c = 0; c < 3; ++c) inside = inside && ijk[c] >= 0 && ijk[c] <= double(fg.size[c] - 1);
    if (inside) p.points.push_back(q);
  }
  const AffineMotion truth = pair.truth;
  p.truth = [truth](const Vec3& x) { return truth.apply(x); };
  p.grids = describe_grid(spec.fixed_grid) + " <- " + describe_grid(spec.moving_grid);
  return p;
}

Prepared prepare_open_ms(const Paths& paths) {
  using namespace oncotrack::synth;
  const fs::path d = paths.open_ms_dir;
  Prepared p;
  p.fixed = d / "study1_FLAIR.nii.gz";
  p.moving = d / "study2_FLAIR.nii.gz";
  p.sequence = "flair";
  // Reference transforms map a common-space point c to the raw study point: p1 = T1(c), p2 = T2(c), so the
  // true fixed -> moving mapping is T2 o T1^-1.
  const AffineMotion t1 = read_itk_affine_text(d / "study1_FLAIR_to_common_space.txt");
  const AffineMotion t2 = read_itk_affine_text(d / "study2_FLAIR_to_common_space.txt");
  const Mask brain =
      oncotrack::io::labels_to_mask(oncotrack::io::read_labels(d / "brainmask_common.nii.gz"), {});
  for (const Vec3& c : brain_points(brain, std::max<std::size_t>(1, paths.step / 2)))
    p.points.push_back(t1.apply(c));
  const AffineMotion truth = t1.inverse().then(t2);
  p.truth = [truth](const Vec3& x) { return truth.apply(x); };
  p.grids = describe_grid(oncotrack::io::read_image_info(p.fixed).geometry) + " <- " +
            describe_grid(oncotrack::io::read_image_info(p.moving).geometry);
  return p;
}

// ---------------------------------------------------------------------------------------------------------
// Tools

struct ToolResult {
  std::string tool;
  bool ran = false;
  std::string status;  // "ok" or why not
  double wall_s = 0, cpu_s = 0, peak_rss_mib = 0;
  TreStats tre;
};

struct Settings {
  unsigned threads = 2;
  std::string elastix = "elastix";
  std::string oncotrack;
  fs::path elastix_params;
};

std::string describe_failure(const ProcessRun& run, const fs::path& log) {
  if (!run.error.empty()) return run.error;
  return "exit " + std::to_string(run.exit_code) + " (log " + log.string() + ")\n" + last_lines(log, 6);
}

// Fills r from a finished child process and, when it succeeded, the TRE of the mapping `read` returns.
ToolResult collect(ToolResult r, const ProcessRun& run, const fs::path& log, const Prepared& p,
                   const std::function<oncotrack::synth::PointMap()>& read) {
  r.wall_s = run.wall_s;
  r.cpu_s = run.cpu_s;
  r.peak_rss_mib = run.peak_rss_mib;
  if (!run.error.empty() || run.exit_code != 0) {
    r.status = describe_failure(run, log);
    return r;
  }
  try {
    r.tre = oncotrack::synth::tre(p.points, read(), p.truth);
    r.ran = true;
    r.status = "ok";
  } catch (const std::exception& e) {
    r.status = e.what();
  }
  return r;
}

ToolResult run_elastix(const Prepared& p, const fs::path& dir, const Settings& s, Launcher& launcher) {
  ToolResult r{"elastix", false, "", 0, 0, 0, {}};
  const fs::path out = dir / "elastix";
  fs::create_directories(out);
  std::vector<std::string> argv{s.elastix,
                                "-f",
                                p.fixed.string(),
                                "-m",
                                p.moving.string(),
                                "-out",
                                out.string(),
                                "-p",
                                (s.elastix_params / "rigid.txt").string(),
                                "-p",
                                (s.elastix_params / "affine.txt").string(),
                                "-threads",
                                std::to_string(s.threads)};
  if (p.fixed_metric) argv.insert(argv.end(), {"-fMask", p.fixed_metric->string()});
  if (p.moving_metric) argv.insert(argv.end(), {"-mMask", p.moving_metric->string()});
  const fs::path log = dir / "elastix.stdout.log";
  const ProcessRun run = launcher.run(argv, log);
  return collect(r, run, log, p, [&] {
    const AffineMotion t = read_elastix_transform(out / "TransformParameters.1.txt");
    return oncotrack::synth::PointMap([t](const Vec3& x) { return t.apply(x); });
  });
}

ToolResult run_oncotrack(const Prepared& p, const fs::path& dir, const Settings& s, Launcher& launcher) {
  ToolResult r{"oncotrack", false, "", 0, 0, 0, {}};
  const fs::path manifest = dir / "manifest.csv", out = dir / "oncotrack";
  {
    std::ofstream m(manifest);
    const bool masks = p.fixed_lesion && p.moving_lesion;
    m << "subject,timepoint,day,sequence,path" << (masks ? ",mask" : "") << "\n";
    m << "bench,baseline,0," << p.sequence << "," << p.fixed.string()
      << (masks ? "," + p.fixed_lesion->string() : "") << "\n";
    m << "bench,followup,1," << p.sequence << "," << p.moving.string()
      << (masks ? "," + p.moving_lesion->string() : "") << "\n";
  }
  const fs::path log = dir / "oncotrack.stdout.log";
  const ProcessRun run = launcher.run(
      {s.oncotrack, "register", manifest.string(), "--out", out.string(), "-j", std::to_string(s.threads)},
      log);
  return collect(r, run, log, p, [&] {
    const auto t = oncotrack::registration::Transform::read(out / "sub-bench" / "registration" /
                                                            "sub-bench_followup_to_baseline.tfm");
    return oncotrack::synth::PointMap([t](const Vec3& x) { return t.apply(x); });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Table

void print_row(const std::string& name, const std::string& tool, const std::string& wall,
               const std::string& cpu, const std::string& rss, const std::string& mean,
               const std::string& max) {
  std::printf("%-22s %-17s %8s %8s %9s %9s %9s\n", name.c_str(), tool.c_str(), wall.c_str(), cpu.c_str(),
              rss.c_str(), mean.c_str(), max.c_str());
}

std::string fmt(double v, int decimals) {
  char s[32];
  std::snprintf(s, sizeof s, "%.*f", decimals, v);
  return s;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  settings.oncotrack = ONCOTRACK_BINARY;
  settings.elastix_params = fs::path(ONCOTRACK_BENCH_DIR) / "elastix";
  Paths paths{"/usr/share/mricron/templates",
              fs::path(ONCOTRACK_REAL_DATA_DIR) / "open_ms_longitudinal" / "patient01_raw"};
  std::string cases_arg, tools_arg = "elastix,oncotrack", work_arg;
  bool keep = false;
  unsigned repeat = 1;

  CLI::App app{
      "Registration benchmark: oncotrack vs elastix (wall time, peak RSS, TRE). See bench/README.md."};
  app.add_option("-j,--threads", settings.threads, "Threads for both tools")->check(CLI::PositiveNumber);
  app.add_option("--cases", cases_arg, "Comma-separated subset of cases (default: all)");
  app.add_option("--tools", tools_arg, "Comma-separated: elastix, oncotrack");
  app.add_option("--elastix", settings.elastix, "elastix executable");
  app.add_option("--oncotrack", settings.oncotrack, "oncotrack executable");
  app.add_option("--elastix-params", settings.elastix_params, "Folder with rigid.txt and affine.txt");
  app.add_option("--colin", paths.colin_dir, "Folder with ch2.nii.gz and ch2bet.nii.gz (mricron-data)");
  app.add_option("--open-ms", paths.open_ms_dir, "open_ms_longitudinal/patient01_raw folder");
  app.add_option("--step", paths.step,
                 "Evaluation points: every step-th brain voxel per axis (half on open_ms)")
      ->check(CLI::PositiveNumber);
  app.add_option("--work", work_arg, "Work folder (default: a new folder under /tmp, removed unless --keep)");
  app.add_option("--repeat", repeat, "Run each tool this many times per case; the fastest run is reported")
      ->check(CLI::PositiveNumber);
  app.add_flag("--keep", keep, "Keep the work folder (images, logs, transforms)");
  CLI11_PARSE(app, argc, argv);
  const std::vector<std::string> tools = split(tools_arg);
  for (const std::string& tool : tools)
    if (tool != "elastix" && tool != "oncotrack") {
      std::fprintf(stderr, "registration_bench: unknown tool %s (elastix, oncotrack)\n", tool.c_str());
      return 1;
    }

  Launcher launcher;  // before any image is read (see Launcher)
  const ProcessRun floor = launcher.run({"true"}, "/dev/null");

  fs::path work;
  if (work_arg.empty()) {
    std::string pattern = (fs::temp_directory_path() / "oncotrack_bench_XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
      std::fprintf(stderr, "registration_bench: cannot create a work folder: %s\n", std::strerror(errno));
      return 1;
    }
    work = pattern;
  } else {
    work = work_arg;
    fs::create_directories(work);
  }
  const std::vector<std::string> selected = split(cases_arg);
  auto wanted = [](const std::vector<std::string>& list, const std::string& name) {
    return list.empty() || std::find(list.begin(), list.end(), name) != list.end();
  };

  std::printf(
      "registration bench: %u thread(s) per tool, fastest of %u run(s); TRE over brain points; work "
      "folder %s\n",
      settings.threads, repeat, work.c_str());
  std::printf("(rss_MiB floor: a child doing nothing reports %.1f MiB)\n", floor.peak_rss_mib);
  print_row("case", "tool", "wall_s", "cpu_s", "rss_MiB", "tre_mean", "tre_max");
  int failures = 0;
  for (const Case& c : all_cases()) {
    if (!wanted(selected, c.name)) continue;
    const fs::path dir = work / c.name;
    fs::create_directories(dir);
    Prepared prepared;
    try {
      prepared = c.synthetic ? prepare_synthetic(*c.synthetic, dir, paths) : prepare_open_ms(paths);
    } catch (const std::exception& e) {
      std::printf("%-22s skipped: %s\n", c.name.c_str(), e.what());
      continue;
    }
    std::printf("# %s: %s; %s; %zu points\n", c.name.c_str(), c.description.c_str(), prepared.grids.c_str(),
                prepared.points.size());
    const TreStats none = oncotrack::synth::tre(
        prepared.points, [](const Vec3& x) { return x; }, prepared.truth);
    print_row(c.name, "none (identity)", "-", "-", "-", fmt(none.mean_mm, 3), fmt(none.max_mm, 3));
    std::map<std::string, ToolResult> results;
    for (const std::string& tool : tools) {
      // Repeats keep the fastest run: both tools are deterministic, so only the timing varies.
      ToolResult r;
      for (unsigned attempt = 0; attempt < repeat; ++attempt) {
        const fs::path run_dir = dir / (tool + "_run" + std::to_string(attempt));
        fs::remove_all(run_dir);
        fs::create_directories(run_dir);
        const ToolResult t = tool == "elastix" ? run_elastix(prepared, run_dir, settings, launcher)
                                               : run_oncotrack(prepared, run_dir, settings, launcher);
        if (attempt == 0 || !t.ran || t.wall_s < r.wall_s) r = t;
        if (!t.ran) break;
      }
      if (r.ran) {
        print_row(c.name, r.tool, fmt(r.wall_s, 2), fmt(r.cpu_s, 2), fmt(r.peak_rss_mib, 1),
                  fmt(r.tre.mean_mm, 3), fmt(r.tre.max_mm, 3));
      } else {
        ++failures;
        print_row(c.name, r.tool, "failed", "", "", "", "");
        std::printf("    %s\n", r.status.c_str());
      }
      std::fflush(stdout);
      results[tool] = r;
    }
    const auto e = results.find("elastix"), o = results.find("oncotrack");
    if (e != results.end() && o != results.end() && e->second.ran && o->second.ran)
      print_row(c.name, "oncotrack/elastix", fmt(o->second.wall_s / e->second.wall_s, 2) + "x",
                fmt(o->second.cpu_s / e->second.cpu_s, 2) + "x",
                fmt(o->second.peak_rss_mib / e->second.peak_rss_mib, 2) + "x", "", "");
  }
  if (failures > 0 && !keep && work_arg.empty())
    std::printf("work folder kept for the failure logs: %s\n", work.c_str());
  else if (!keep && work_arg.empty())
    fs::remove_all(work);
  return failures == 0 ? 0 : 2;
}

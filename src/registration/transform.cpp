#include "oncotrack/registration/transform.h"

#include <itkCompositeTransform.h>
#include <itkTransformFactory.h>
#include <itkTransformFileReader.h>
#include <itkTransformFileWriter.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "oncotrack/core/error.h"
#include "oncotrack/io/itk_convert.h"
#include "transform_impl.h"

namespace oncotrack::registration {

namespace fs = std::filesystem;

namespace {

using Composite = itk::CompositeTransform<double, 3>;

void register_transform_types() {
  static std::once_flag once;
  std::call_once(once, [] {
    itk::TransformFactory<ItkBSpline>::RegisterTransform();
    itk::TransformFactory<Composite>::RegisterTransform();
    itk::TransformFactory<ItkAffine>::RegisterTransform();
    itk::TransformFactory<itk::MatrixOffsetTransformBase<double, 3, 3>>::RegisterTransform();
  });
}

std::string lower_extension(const fs::path& path) {
  std::string name = path.filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* ext : {".tfm", ".txt", ".h5", ".hdf5"})
    if (name.size() > std::strlen(ext) &&
        name.compare(name.size() - std::strlen(ext), std::string::npos, ext) == 0)
      return ext;
  return {};
}

ItkAffine::Pointer copy_affine(const ItkAffine& a) {
  auto out = ItkAffine::New();
  out->SetFixedParameters(a.GetFixedParameters());
  out->SetParameters(a.GetParameters());
  return out;
}

// Any ITK matrix-offset transform (Euler, Versor, Similarity, Affine, MatrixOffsetTransformBase) as an
// affine.
ItkAffine::Pointer affine_from(const itk::TransformBaseTemplate<double>* t, const fs::path& path) {
  using Base = itk::MatrixOffsetTransformBase<double, 3, 3>;
  const auto* m = dynamic_cast<const Base*>(t);
  if (!m)
    throw Error("unsupported transform type in transform file", path.string(),
                "a 3D matrix-offset transform (Euler, Versor, Similarity, Affine) or a B-spline",
                t ? t->GetNameOfClass() : "nothing");
  auto out = ItkAffine::New();
  out->SetCenter(m->GetCenter());
  out->SetMatrix(m->GetMatrix());
  out->SetTranslation(m->GetTranslation());
  return out;
}

}  // namespace

Transform make_transform(const ItkAffine& affine, const ItkBSpline* bspline) {
  auto impl = std::make_shared<Transform::Impl>();
  impl->affine = copy_affine(affine);
  if (bspline) {
    impl->bspline = ItkBSpline::New();
    impl->bspline->SetFixedParameters(bspline->GetFixedParameters());
    impl->bspline->SetParameters(bspline->GetParameters());
    // SetParameters keeps a reference to the array; own a copy.
    impl->bspline->SetParametersByValue(bspline->GetParameters());
  }
  return Transform(std::move(impl));
}

Transform::Transform() {
  auto impl = std::make_shared<Impl>();
  impl->affine = ItkAffine::New();
  impl->affine->SetIdentity();
  impl_ = std::move(impl);
}

Transform::Transform(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Transform Transform::affine(const Mat3& matrix, const Vec3& translation, const Vec3& center) {
  auto a = ItkAffine::New();
  ItkAffine::MatrixType m;
  ItkAffine::OutputVectorType t;
  ItkAffine::InputPointType c;
  for (int r = 0; r < 3; ++r) {
    for (int k = 0; k < 3; ++k) m(r, k) = matrix[r][k];
    t[r] = translation[r];
    c[r] = center[r];
  }
  a->SetCenter(c);
  a->SetMatrix(m);
  a->SetTranslation(t);
  return make_transform(*a);
}

Vec3 Transform::apply(const Vec3& x) const {
  ItkAffine::InputPointType p;
  for (int d = 0; d < 3; ++d) p[d] = x[d];
  if (impl_->bspline) p = impl_->bspline->TransformPoint(p);
  const auto y = impl_->affine->TransformPoint(p);
  return {y[0], y[1], y[2]};
}

Vec3 Transform::apply_inverse(const Vec3& y) const {
  // Affine part: exact inverse. B-spline part x + d(x) = z: fixed-point iteration x <- z - d(x).
  const Mat3 a = matrix();
  const Vec3 off = offset();
  const Vec3 b{y[0] - off[0], y[1] - off[1], y[2] - off[2]};
  // Cramer's rule: z = A^-1 b.
  const double det = determinant(a);
  ONCOTRACK_ASSERT(det != 0, "apply_inverse on a singular affine transform");
  Vec3 z{};
  for (int c = 0; c < 3; ++c) {
    Mat3 m = a;
    for (int r = 0; r < 3; ++r) m[r][c] = b[r];
    z[c] = determinant(m) / det;
  }
  if (!impl_->bspline) return z;
  Vec3 x = z;
  for (int it = 0; it < 100; ++it) {
    ItkAffine::InputPointType p;
    for (int d = 0; d < 3; ++d) p[d] = x[d];
    const auto q = impl_->bspline->TransformPoint(p);
    double change = 0;
    for (int d = 0; d < 3; ++d) {
      const double next = z[d] - (q[d] - x[d]);
      change = std::max(change, std::abs(next - x[d]));
      x[d] = next;
    }
    if (change < 1e-5) break;
  }
  return x;
}

Mat3 Transform::matrix() const {
  Mat3 m{};
  const auto& a = impl_->affine->GetMatrix();
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k) m[r][k] = a(r, k);
  return m;
}

Vec3 Transform::offset() const {
  const auto& o = impl_->affine->GetOffset();
  return {o[0], o[1], o[2]};
}

Vec3 Transform::center() const {
  const auto& c = impl_->affine->GetCenter();
  return {c[0], c[1], c[2]};
}

AffineParameters Transform::parameters() const {
  // Gram-Schmidt on the columns of A gives A = Q U (U upper triangular); U = K S with S = diag(U).
  const Mat3 a = matrix();
  Mat3 q{}, u{};
  for (int c = 0; c < 3; ++c) {
    Vec3 v{a[0][c], a[1][c], a[2][c]};
    for (int k = 0; k < c; ++k) {
      u[k][c] = q[0][k] * a[0][c] + q[1][k] * a[1][c] + q[2][k] * a[2][c];
      for (int r = 0; r < 3; ++r) v[r] -= u[k][c] * q[r][k];
    }
    u[c][c] = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    for (int r = 0; r < 3; ++r) q[r][c] = u[c][c] > 0 ? v[r] / u[c][c] : 0;
  }
  AffineParameters p;
  const double det = q[0][0] * (q[1][1] * q[2][2] - q[1][2] * q[2][1]) -
                     q[0][1] * (q[1][0] * q[2][2] - q[1][2] * q[2][0]) +
                     q[0][2] * (q[1][0] * q[2][1] - q[1][1] * q[2][0]);
  p.reflection = det < 0;
  if (p.reflection) {  // fold the reflection into the last scale so that Q is a rotation
    for (int r = 0; r < 3; ++r) q[r][2] = -q[r][2];
    for (int c = 2; c < 3; ++c) u[2][c] = -u[2][c];
  }
  for (int d = 0; d < 3; ++d) p.scale[d] = u[d][d];
  p.shear = {u[0][1] / u[1][1], u[0][2] / u[2][2], u[1][2] / u[2][2]};
  // ITK Euler3D (ZXY): R = Rz Rx Ry, so R(2,1) = sin x, R(2,0) = -cos x sin y, R(2,2) = cos x cos y,
  // R(0,1) = -sin z cos x, R(1,1) = cos z cos x.
  constexpr double kDeg = 180.0 / 3.14159265358979323846;
  const double ax = std::asin(std::clamp(q[2][1], -1.0, 1.0));
  double ay = 0, az = 0;
  if (std::abs(std::cos(ax)) > 1e-9) {
    ay = std::atan2(-q[2][0], q[2][2]);
    az = std::atan2(-q[0][1], q[1][1]);
  } else {  // gimbal lock: put everything in z
    az = std::atan2(q[1][0], q[0][0]);
  }
  p.rotation_deg = {ax * kDeg, ay * kDeg, az * kDeg};
  const auto& t = impl_->affine->GetTranslation();
  p.translation_mm = {t[0], t[1], t[2]};
  p.center_mm = center();
  return p;
}

bool Transform::deformable() const {
  return static_cast<bool>(impl_->bspline);
}

void Transform::write(const fs::path& path) const {
  register_transform_types();
  const std::string ext = lower_extension(path);
  if (ext.empty())
    throw Error("unsupported transform file extension", path.string(), ".tfm, .txt or .h5",
                path.extension().string());
  if (impl_->bspline && ext != ".h5" && ext != ".hdf5")
    throw Error("a deformable transform needs an HDF5 transform file", path.string(), ".h5",
                path.extension().string());
  auto writer = itk::TransformFileWriterTemplate<double>::New();
  writer->SetFileName(path.string());
  writer->SetUseCompression(true);
  if (ext == ".h5" || ext == ".hdf5") {
    auto composite = Composite::New();
    composite->AddTransform(impl_->affine);
    if (impl_->bspline) composite->AddTransform(impl_->bspline);  // applied first
    writer->SetInput(composite);
  } else {
    writer->SetInput(impl_->affine);
  }
  try {
    const std::lock_guard<std::mutex> lock(io::detail::itk_file_io_mutex());
    writer->Update();
  } catch (const itk::ExceptionObject& e) {
    throw WriteError("cannot write transform file", path.string(), "a writable location", e.GetDescription());
  }
  // ITK's text writer does not check its stream: read the file back, so that a full disk cannot leave a short
  // transform behind that a caller would rename into place.
  try {
    read(path);
  } catch (const Error& e) {
    throw WriteError("cannot write transform file", path.string(),
                     "a writable location with room for the transform",
                     "an incomplete file after writing (disk full?): " + e.problem());
  }
}

Transform Transform::read(const fs::path& path) {
  register_transform_types();
  if (!fs::exists(path)) throw Error("transform file not found", path.string());
  auto reader = itk::TransformFileReaderTemplate<double>::New();
  reader->SetFileName(path.string());
  try {
    const std::lock_guard<std::mutex> lock(io::detail::itk_file_io_mutex());
    reader->Update();
  } catch (const itk::ExceptionObject& e) {
    throw Error("cannot read transform file", path.string(), "an ITK transform file (.tfm, .txt, .h5)",
                e.GetDescription());
  }
  const auto* list = reader->GetTransformList();
  if (list->empty()) throw Error("transform file holds no transform", path.string(), "one transform", "none");
  std::vector<const itk::TransformBaseTemplate<double>*> parts;
  for (const auto& t : *list) {
    if (const auto* c = dynamic_cast<const Composite*>(t.GetPointer())) {
      for (unsigned i = 0; i < c->GetNumberOfTransforms(); ++i)
        parts.push_back(c->GetNthTransformConstPointer(i));
    } else {
      parts.push_back(t.GetPointer());
    }
  }
  // Accepted: [matrix-offset] or [matrix-offset, B-spline] (composite order: the last is applied first).
  const auto* bspline = parts.size() == 2 ? dynamic_cast<const ItkBSpline*>(parts[1]) : nullptr;
  if (parts.size() > 2 || (parts.size() == 2 && !bspline))
    throw Error("unsupported transform chain in transform file", path.string(),
                "one matrix-offset transform, optionally followed by a B-spline",
                std::to_string(parts.size()) + " transforms");
  const auto affine = affine_from(parts[0], path);
  return make_transform(*affine, bspline);
}

}  // namespace oncotrack::registration

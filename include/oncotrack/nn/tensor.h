#pragma once
// float32 tensors of rank 1..5 for the network engine.
//
// Layout: C order (last index fastest), identical to a contiguous PyTorch tensor, so weights and fixtures map
// one to one. Image tensors are [N,C,D,H,W] (D = slices, W = columns, fastest); dense activations are [N,F];
// conv weights [Cout,Cin,k,k,k]; transposed-conv weights [Cin,Cout,k,k,k] (PyTorch's layouts).
//
// A Tensor either owns its values (heap) or views memory owned elsewhere (an Arena, a caller's buffer); a
// view never outlives its owner. Copying an owning tensor copies the values; copying a view copies the
// pointer.
#include <cstdint>
#include <string>
#include <vector>

namespace oncotrack::nn {

using Shape = std::vector<std::int64_t>;

std::int64_t element_count(const Shape& shape);
std::string to_string(const Shape& shape);  // "[64,32,3,3,3]"

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape);                    // owning, zero-filled
  Tensor(Shape shape, std::vector<float> values);  // owning; throws NnError when the sizes differ
  static Tensor view(Shape shape, float* data);    // non-owning

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&& other) noexcept;
  Tensor& operator=(Tensor&& other) noexcept;
  ~Tensor() = default;

  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  std::int64_t dim(int i) const { return shape_.at(static_cast<std::size_t>(i)); }
  std::int64_t size() const { return element_count(shape_); }
  bool empty() const { return shape_.empty(); }
  bool owns() const { return !storage_.empty() || (data_ == nullptr); }

  float* data() { return data_; }
  const float* data() const { return data_; }
  float* begin() { return data_; }
  float* end() { return data_ + size(); }
  const float* begin() const { return data_; }
  const float* end() const { return data_ + size(); }

  // A view of the same values with another shape of equal element count (throws NnError otherwise).
  Tensor reshaped(Shape shape) const;
  // A view of sample n of an [N,...] tensor, shaped [1,...].
  Tensor sample(std::int64_t n) const;

  // For 5-D tensors: voxel (n,c,d,h,w). Unchecked.
  float& at(std::int64_t n, std::int64_t c, std::int64_t d, std::int64_t h, std::int64_t w) {
    return data_[(((n * shape_[1] + c) * shape_[2] + d) * shape_[3] + h) * shape_[4] + w];
  }
  float at(std::int64_t n, std::int64_t c, std::int64_t d, std::int64_t h, std::int64_t w) const {
    return data_[(((n * shape_[1] + c) * shape_[2] + d) * shape_[3] + h) * shape_[4] + w];
  }

 private:
  Shape shape_;
  std::vector<float> storage_;
  float* data_ = nullptr;
};

// Throws NnError naming `what` when the shape differs from `expected`.
void require_shape(const Tensor& t, const Shape& expected, const std::string& what);

}  // namespace oncotrack::nn

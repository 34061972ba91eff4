#include "oncotrack/nn/tensor.h"

#include "oncotrack/nn/error.h"

namespace oncotrack::nn {

std::int64_t element_count(const Shape& shape) {
  if (shape.empty()) return 0;
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

Tensor::Tensor(Shape shape) : shape_(std::move(shape)), storage_(static_cast<std::size_t>(size()), 0.0f) {
  data_ = storage_.data();
}

Tensor::Tensor(Shape shape, std::vector<float> values)
    : shape_(std::move(shape)), storage_(std::move(values)) {
  if (static_cast<std::int64_t>(storage_.size()) != size())
    throw NnError("tensor values do not match the shape", {},
                  std::to_string(size()) + " values for " + to_string(shape_),
                  std::to_string(storage_.size()));
  data_ = storage_.data();
}

Tensor Tensor::view(Shape shape, float* data) {
  Tensor t;
  t.shape_ = std::move(shape);
  t.data_ = data;
  return t;
}

Tensor::Tensor(const Tensor& other) : shape_(other.shape_), storage_(other.storage_) {
  data_ = storage_.empty() ? other.data_ : storage_.data();
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) {
    shape_ = other.shape_;
    storage_ = other.storage_;
    data_ = storage_.empty() ? other.data_ : storage_.data();
  }
  return *this;
}

Tensor::Tensor(Tensor&& other) noexcept
    : shape_(std::move(other.shape_)), storage_(std::move(other.storage_)), data_(other.data_) {
  other.data_ = nullptr;
  other.shape_.clear();
}

Tensor& Tensor::operator=(Tensor&& other) noexcept {
  if (this != &other) {
    shape_ = std::move(other.shape_);
    storage_ = std::move(other.storage_);
    data_ = other.data_;
    other.data_ = nullptr;
    other.shape_.clear();
  }
  return *this;
}

Tensor Tensor::reshaped(Shape shape) const {
  if (element_count(shape) != size())
    throw NnError("cannot reshape tensor", {},
                  to_string(shape_) + " has " + std::to_string(size()) + " values", to_string(shape));
  return view(std::move(shape), data_);
}

Tensor Tensor::sample(std::int64_t n) const {
  if (rank() < 2 || n < 0 || n >= shape_[0])
    throw NnError("sample index out of range", {}, "0 <= n < " + (rank() ? std::to_string(shape_[0]) : "?"),
                  std::to_string(n));
  Shape s = shape_;
  s[0] = 1;
  return view(s, data_ + n * element_count(s));
}

void require_shape(const Tensor& t, const Shape& expected, const std::string& what) {
  if (t.shape() != expected) throw NnError("wrong shape", what, to_string(expected), to_string(t.shape()));
}

}  // namespace oncotrack::nn

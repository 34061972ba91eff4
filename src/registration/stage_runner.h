#pragma once
// Internal to the registration module: the multi-resolution ITK v4 registration loop shared by the stage
// translation units (rigid_stage.cpp, affine_stage.cpp, bspline_stage.cpp). Include only there.
#include <itkCommand.h>
#include <itkImageRegistrationMethodv4.h>
#include <itkRegistrationParameterScalesFromPhysicalShift.h>
#include <itkRegularStepGradientDescentOptimizerv4.h>

#include <chrono>

#include "oncotrack/core/error.h"
#include "stage.h"

namespace oncotrack::registration::detail {

// Regular-step gradient descent; the first step of each level moves at most Level::step_mm (learning rate
// estimated from physical-shift scales), each reversal of the gradient halves the step, and a level ends when
// the step falls below kMinStepFraction of its first step or after max_iterations.
constexpr double kMinStepFraction = 1.0 / 512;

// One ITK registration per level (on the level's pre-smoothed images, so stages share the smoothing).
// unit_scales: parameters are already millimetres (B-spline coefficients); estimating physical-shift scales for
// thousands of local-support parameters costs minutes, so they are all 1 and only the learning rate is estimated.
template <class TTransform>
StageReport run_levels(const StageContext& ctx, const char* name, TTransform* transform,
                       const itk::Transform<double, 3, 3>* moving_initial, bool unit_scales = false) {
  using Method = itk::ImageRegistrationMethodv4<ItkImage, ItkImage, TTransform, ItkImage>;
  using Optimizer = itk::RegularStepGradientDescentOptimizerv4<double>;
  const auto start = std::chrono::steady_clock::now();
  StageReport report;
  report.name = name;
  for (std::size_t l = 0; l < ctx.levels.size(); ++l) {
    const Level& level = ctx.levels[l];
    auto metric = make_metric(ctx.bins, ctx.fixed_mask.GetPointer(), ctx.moving_mask.GetPointer());
    auto scales = itk::RegistrationParameterScalesFromPhysicalShift<DeterministicMattes>::New();
    scales->SetMetric(metric);
    auto optimizer = Optimizer::New();
    optimizer->SetScalesEstimator(scales);
    if (unit_scales) {
      typename Optimizer::ScalesType ones(transform->GetNumberOfParameters());
      ones.Fill(1.0);
      optimizer->SetScales(ones);
      optimizer->SetDoEstimateScales(false);
    }
    optimizer->SetDoEstimateLearningRateOnce(true);
    optimizer->SetDoEstimateLearningRateAtEachIteration(false);
    optimizer->SetMaximumStepSizeInPhysicalUnits(level.step_mm);
    optimizer->SetNumberOfIterations(ctx.max_iterations);
    optimizer->SetRelaxationFactor(0.5);
    optimizer->SetGradientMagnitudeTolerance(1e-12);
    optimizer->SetMinimumStepLength(0);  // set once the first step has fixed the learning rate
    optimizer->SetReturnBestParametersAndValue(true);

    auto method = Method::New();
    method->SetFixedImage(level.fixed);
    method->SetMovingImage(level.moving);
    method->SetMetric(metric);
    method->SetOptimizer(optimizer);
    method->SetInitialTransform(transform);
    method->InPlaceOn();
    if (moving_initial) method->SetMovingInitialTransform(moving_initial);
    method->SetNumberOfLevels(1);
    typename Method::ShrinkFactorsPerDimensionContainerType f;
    f.Fill(1);  // already shrunk
    method->SetShrinkFactorsPerDimension(0, f);
    typename Method::SmoothingSigmasArrayType sigma(1);
    sigma[0] = 0;  // already smoothed
    method->SetSmoothingSigmasPerLevel(sigma);
    method->SetMetricSamplingStrategy(Method::MetricSamplingStrategyEnum::RANDOM);
    typename Method::MetricSamplingPercentageArrayType fraction(1);
    fraction[0] = level.sampling_fraction;
    method->SetMetricSamplingPercentagePerLevel(fraction);
    method->MetricSamplingReinitializeSeed(static_cast<int>(ctx.seed + l));

    const bool finest = l + 1 == ctx.levels.size();
    bool first_step = true;
    auto on_iteration = [&] {
      ++report.iterations;
      if (!first_step) return;
      first_step = false;
      optimizer->SetMinimumStepLength(optimizer->GetLearningRate() * kMinStepFraction);
      if (finest) report.metric_before = optimizer->GetValue();
    };
    auto command = itk::CStyleCommand::New();
    command->SetClientData(&on_iteration);
    command->SetCallback([](itk::Object*, const itk::EventObject&, void* data) {
      (*static_cast<decltype(on_iteration)*>(data))();
    });
    optimizer->AddObserver(itk::IterationEvent(), command);
    try {
      method->Update();
    } catch (const itk::ExceptionObject& e) {
      throw Error(std::string("registration stage '") + name + "' failed", {}, "images that overlap",
                  e.GetDescription());
    }
    if (finest) {
      report.metric_after = optimizer->GetValue();
      report.stop_condition = optimizer->GetStopConditionDescription();
    }
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace oncotrack::registration::detail

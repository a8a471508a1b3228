#pragma once
// Common aliases and the error type of the fluxprofile core.
#include <Eigen/Core>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace fluxprofile {

using Index = Eigen::Index;
using RowMatrixXd =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using VectorXd = Eigen::VectorXd;
using VectorXi64 = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;

// Raised for input the core cannot work with; the bindings map it to Python's
// ValueError.
struct InvalidInput : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

}  // namespace fluxprofile

#pragma once
// One-parameter likelihood fits of a signal norm: best fit, curvature error, TS,
// profile likelihood intervals, upper limits, scans and sensitivity, for many
// independent problems.
#include <cstdint>
#include <vector>

#include "fluxprofile/types.hpp"

namespace fluxprofile {

// The fit statistic of a bin (stats.hpp): Cash for a predicted background, WStat for
// on-off.
enum class Statistic : std::int8_t { cash = 0, wstat = 1 };

// Problems in a compressed layout: problem p owns bins [offsets[p], offsets[p+1]).
// Per bin: the statistic (a Statistic value), counts (n_on for WStat), background
// (Cash) or n_off (WStat), alpha (WStat only) and signal (prediction of the reference
// model, norm = 1).
struct FitProblems {
  const std::int64_t* offsets = nullptr;
  Index n_problems = 0;
  const std::int8_t* statistic = nullptr;
  const double* counts = nullptr;
  const double* background = nullptr;
  const double* alpha = nullptr;
  const double* signal = nullptr;
};

struct FitOptions {
  double n_sigma = 1.0;
  double n_sigma_ul = 2.0;
  double n_sigma_sensitivity = 5.0;
  double null_value = 0.0;
  bool errn_errp = false;
  bool ul = false;
  bool sensitivity = false;
  // norm_err from MINUIT's MIGRAD covariance as Gammapy reports it (emulated exactly),
  // or from the exact curvature of the statistic at the best fit.
  bool minuit_errors = true;
  // norm where MINUIT's MIGRAD stops as Gammapy runs it (tol 0.1, from norm = 1), and
  // the intervals from Gammapy's re-optimisations before them, instead of the exact
  // minimum: Gammapy's norms lie up to ~1.4 % of their error from the exact minimum.
  // Needs a valid MIGRAD covariance, else the exact minimum is kept.
  bool minuit_norm = false;
  std::vector<double> scan_values;
};

struct FitResults {
  VectorXd norm, norm_err, stat, stat_null, ts, norm_errn, norm_errp, norm_ul,
      norm_sensitivity;
  // The norm at which `stat` and `npred` were evaluated (the best fit, or for a failed
  // fit the point where the statistic reached its infimum).
  VectorXd norm_at_stat;
  Eigen::Matrix<std::uint8_t, Eigen::Dynamic, 1> success;
  RowMatrixXd stat_scan;  // (n_problems, n_scan)
  VectorXd npred;         // per bin, at norm_at_stat
};

FitResults fit_norms(const FitProblems& problems, const FitOptions& options,
                     int n_threads);

// Total statistic of problem p at each of `norms` (for scans and tests).
VectorXd problem_stat(const FitProblems& problems, Index p, const VectorXd& norms);

}  // namespace fluxprofile

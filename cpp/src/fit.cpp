#include "fluxprofile/fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "fluxprofile/migrad1d.hpp"
#include "fluxprofile/parallel.hpp"
#include "fluxprofile/roots.hpp"
#include "fluxprofile/stats.hpp"

namespace fluxprofile {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// Gammapy (2.x) searches confidence limits within +-1e5 * max(error, |norm|) of the
// best fit.
constexpr double kConfidenceReach = 1e5;

// The bins of one problem and the statistic summed over them, as a function of a
// variable x = norm / scale (scale 1: the norm itself, Gammapy's coordinate). With
// scale = 1 every value is computed exactly as in the norm (x * 1.0 == x), which the
// MIGRAD emulation needs to follow Gammapy to the bit; other scales make the problem
// independent of the units of the signal (docs/numeric_limits.rst).
class Problem {
 public:
  Problem(const FitProblems& all, Index p, double scale = 1.0)
      : all_(all), begin_(all.offsets[p]), end_(all.offsets[p + 1]), scale_(scale) {}

  Index size() const { return static_cast<Index>(end_ - begin_); }
  double scale() const { return scale_; }

  BinStat at(double x) const {
    const double norm = x * scale_;
    BinStat total;
    for (std::int64_t k = begin_; k < end_; ++k) {
      const BinStat b = bin(k, norm);
      total.value += b.value;
      total.gradient += b.gradient;
      total.curvature += b.curvature;
    }
    total.gradient *= scale_;
    total.curvature *= scale_ * scale_;
    return total;
  }

  double stat(double x) const {
    const double norm = x * scale_;
    double total = 0.0;
    for (std::int64_t k = begin_; k < end_; ++k) {
      if (kind(k) == Statistic::cash) {
        total += cash(all_.counts[k], all_.background[k] + norm * all_.signal[k]);
      } else {
        total += wstat(all_.counts[k], all_.background[k], all_.alpha[k],
                       norm * all_.signal[k]);
      }
    }
    return total;
  }

  // Predicted counts of bin k (signal + background, clipped at zero).
  double npred(std::int64_t k, double x) const {
    const double mu_sig = x * scale_ * all_.signal[k];
    if (kind(k) == Statistic::cash) return std::max(all_.background[k] + mu_sig, 0.0);
    const double mu_b =
        wstat_mu_bkg(all_.counts[k], all_.background[k], all_.alpha[k], mu_sig);
    const double mu = mu_sig + all_.alpha[k] * mu_b;
    return std::isfinite(mu) ? std::max(mu, 0.0) : 0.0;
  }

  // TS of the Asimov data set made of npred(x): stat(null) - stat(x) on those counts.
  double asimov_ts(double x, double null_x) const {
    const double norm = x * scale_, null_value = null_x * scale_;
    double ts = 0.0;
    for (std::int64_t k = begin_; k < end_; ++k) {
      const double n_asimov = npred(k, x);
      if (kind(k) == Statistic::cash) {
        ts += cash(n_asimov, all_.background[k] + null_value * all_.signal[k]) -
              cash(n_asimov, all_.background[k] + norm * all_.signal[k]);
      } else {
        const double off = all_.background[k], alpha = all_.alpha[k],
                     s = all_.signal[k];
        ts += wstat(n_asimov, off, alpha, null_value * s) -
              wstat(n_asimov, off, alpha, norm * s);
      }
    }
    return ts;
  }

  // The open interval of x on which every Cash bin with counts keeps a prediction
  // above the truncation value; outside it the statistic has a plateau instead of a
  // minimum.
  void cash_domain(double& lo, double& hi) const {
    lo = -kInf;
    hi = kInf;
    for (std::int64_t k = begin_; k < end_; ++k) {
      // WStat with alpha = 0 is Cash without background (see stats.cpp).
      const bool cash_like = kind(k) == Statistic::cash || all_.alpha[k] == 0.0;
      if (!cash_like || !(all_.counts[k] > 0.0)) continue;
      const double s = all_.signal[k] * scale_;
      const double background = kind(k) == Statistic::cash ? all_.background[k] : 0.0;
      const double edge = (kCashTruncation - background) / s;
      if (s > 0.0) lo = std::max(lo, edge);
      if (s < 0.0) hi = std::min(hi, edge);
    }
  }

  // The norm at which the problem's signal adds up to one count, sum_k |signal_k| = 1
  // (1 if it predicts none): the unit of x in which the problem no longer depends on
  // the scale of the exposure or of the model amplitude.
  double signal_unit() const {
    double total = 0.0;
    for (std::int64_t k = begin_; k < end_; ++k) total += std::abs(all_.signal[k]);
    return total > 0.0 && std::isfinite(total) ? 1.0 / total : 1.0;
  }

 private:
  Statistic kind(std::int64_t k) const {
    return static_cast<Statistic>(all_.statistic[k]);
  }

  BinStat bin(std::int64_t k, double norm) const {
    if (kind(k) == Statistic::cash) {
      return cash_in_norm(all_.counts[k], all_.background[k], all_.signal[k], norm);
    }
    return wstat_in_norm(all_.counts[k], all_.background[k], all_.alpha[k],
                         all_.signal[k], norm);
  }

  const FitProblems& all_;
  std::int64_t begin_, end_;
  double scale_;
};

struct Minimum {
  double norm = kNaN;  // where the statistic was lowest
  double stat = kNaN;
  double curvature = kNaN;
  bool interior = false;  // a proper minimum with positive curvature
};

Minimum finish(const Problem& pb, double norm) {
  const BinStat s = pb.at(norm);
  Minimum m;
  m.norm = norm;
  m.stat = s.value;
  m.curvature = s.curvature;
  m.interior =
      std::isfinite(s.curvature) && s.curvature > 0.0 && std::isfinite(s.value);
  return m;
}

// Minimises the (convex inside its domain) statistic: brackets a sign change of the
// gradient by stepping out from x = 1, then solves gradient = 0 with Brent. (In the
// signal's unit, x = 1 is one count of signal; the walk doubles its steps up to 1e15
// times the start, far beyond any count.)
Minimum find_minimum(const Problem& pb) {
  double lo, hi;
  pb.cash_domain(lo, hi);
  if (!(lo < hi)) {
    // Contradictory constraints (signals of both signs): no norm fits every bin.
    return finish(pb, std::isfinite(lo) ? lo : hi);
  }
  double x0 = 1.0;
  if (!(x0 > lo && x0 < hi)) {
    if (std::isfinite(lo) && std::isfinite(hi))
      x0 = 0.5 * (lo + hi);
    else if (std::isfinite(lo))
      x0 = lo + std::max(1.0, std::abs(lo));
    else
      x0 = hi - std::max(1.0, std::abs(hi));
  }
  auto gradient = [&](double x) { return pb.at(x).gradient; };
  const double g0 = gradient(x0);
  if (g0 == 0.0) return finish(pb, x0);

  // Walk downhill with doubling steps; near a domain edge, halve the distance to it
  // instead.
  const double dir = g0 > 0.0 ? -1.0 : 1.0;
  const double edge = dir < 0.0 ? lo : hi;
  const double max_step = 1e15 * std::max(1.0, std::abs(x0));
  double prev = x0, g_prev = g0, step = std::max(1.0, std::abs(x0));
  bool near_edge = false;
  for (int iter = 0; iter < 4000; ++iter) {
    double x = x0 + dir * step;
    if (near_edge || (std::isfinite(edge) && (dir < 0.0 ? x <= edge : x >= edge))) {
      near_edge = true;
      x = edge + 0.5 * (prev - edge);
    }
    if (x == prev) break;  // no room left before the edge
    const double g = gradient(x);
    if (g == 0.0) return finish(pb, x);
    if ((g > 0.0) != (g_prev > 0.0)) {
      const double xtol = 1e-15 * (std::abs(x) + std::abs(prev)) + 1e-300;
      const double root = brent_root(gradient, prev, x, g_prev, g, xtol);
      return finish(pb, std::isfinite(root) ? root : x);
    }
    prev = x;
    g_prev = g;
    step *= 2.0;
    if (!near_edge && step > max_step) break;
  }
  // The statistic keeps falling: no interior minimum (e.g. no counts at all).
  Minimum m = finish(pb, prev);
  m.interior = false;
  return m;
}

// Distance from x0 to where stat rises by delta above f0, searching in direction dir.
double crossing(const Problem& pb, double x0, double f0, double delta, double dir,
                double step0, double reach) {
  auto excess = [&](double x) { return pb.stat(x) - f0 - delta; };
  double prev = x0, h_prev = -delta, step = step0;
  for (int iter = 0; iter < 200; ++iter) {
    const double x = x0 + dir * std::min(step, reach);
    const double h = excess(x);
    if (h > 0.0) {
      const double root = brent_root(excess, prev, x, h_prev, h, 1e-12 * step0);
      return std::abs(root - x0);
    }
    if (step >= reach) break;
    prev = x;
    h_prev = h;
    step *= 2.0;
  }
  return kNaN;
}

double sensitivity(const Problem& pb, double null_value, double n_sigma, double step0) {
  const double target = n_sigma * n_sigma;
  auto excess = [&](double x) { return pb.asimov_ts(x, null_value) - target; };
  double prev = null_value, h_prev = -target, step = step0;
  for (int iter = 0; iter < 200; ++iter) {
    const double x = null_value + step;
    const double h = excess(x);
    if (h > 0.0)
      return brent_root(excess, prev, x, h_prev, h, 1e-12 * step0) - null_value;
    prev = x;
    h_prev = h;
    step *= 2.0;
    if (step > 1e30) break;
  }
  return kNaN;
}

// Gammapy's re-optimisation before each interval (Fit.optimize after
// Parameters.autoscale): MIGRAD in factor units x = norm / scale, scale =
// 10^floor(log10|norm|), started at the current norm with MINUIT's step error / scale.
// Returns the norm where MIGRAD stops (the start if it fails). "norm" is the variable
// of pb (Gammapy's norm, or its decade-normalised stand-in).
double reoptimize(const Problem& pb, double norm, double error) {
  const double scale =
      norm != 0.0 ? std::pow(10.0, std::floor(std::log10(std::abs(norm)))) : 1.0;
  const double step = std::isfinite(error) && error > 0.0 ? error / scale : 1.0;
  const Migrad1DResult fit =
      migrad_1d([&](double x) { return pb.stat(x * scale); }, norm / scale, step);
  return fit.valid && std::isfinite(fit.x) ? fit.x * scale : norm;
}

// How far (in units of the exact error) MIGRAD's stop may lie from the exact minimum,
// and how far (relative) its error may be from the exact curvature error, for its
// result to be taken. MIGRAD's EDM goal keeps it within ~0.02 of the error where it
// works; far outside Gammapy's scales (norms ~1e-15 or ~1e10) its numerical derivatives
// fail and it stops anywhere (docs/numeric_limits.rst).
constexpr double kMigradNormTolerance = 0.05;
constexpr double kMigradErrorTolerance = 0.05;

// One MIGRAD run as Gammapy's first fit does it (from x = 1 with step 1) on a problem
// in its variable; results in that variable.
struct MigradFit {
  bool taken = false;
  double x = kNaN, error = kNaN;
};

MigradFit migrad_first_fit(const Problem& pm, double exact_x, double exact_sigma) {
  const Migrad1DResult fit = migrad_1d([&](double x) { return pm.stat(x); }, 1.0, 1.0);
  MigradFit out;
  const bool has_error =
      std::isfinite(fit.error) && fit.error > 0.0 && fit.covariance_valid;
  if (!(has_error && fit.valid && std::isfinite(fit.x))) return out;
  // agreement with the exact minimum, both in the variable of pm
  if (std::abs(fit.x - exact_x) > kMigradNormTolerance * exact_sigma) return out;
  if (std::abs(fit.error / exact_sigma - 1.0) > kMigradErrorTolerance) return out;
  out.taken = true;
  out.x = fit.x;
  out.error = fit.error;
  return out;
}

// 10^round(log10(v)) for v > 0.
double decade_of(double v) { return std::pow(10.0, std::round(std::log10(v))); }

void solve(const FitProblems& problems, const FitOptions& opt, Index p,
           FitResults& out) {
  // pn: the problem in the norm (Gammapy's coordinate); px: in x = norm / unit, where
  // the signal adds up to one count at x = 1. The exact minimum, the intervals and the
  // sensitivity are found in x, so that they do not depend on the scale of the signal
  // (exposure, amplitude); results are converted back to norms.
  const Problem pn(problems, p);
  const Index n_scan = static_cast<Index>(opt.scan_values.size());
  if (pn.size() == 0) {
    // Nothing contributes (no safe bin in any dataset): Gammapy's NaN row.
    out.stat[p] = 0.0;
    out.stat_null[p] = 0.0;
    out.stat_scan.row(p).setConstant(kNaN);
    return;
  }
  const double unit = pn.signal_unit();
  const Problem px(problems, p, unit);
  const Minimum m = find_minimum(px);
  double best = m.norm, best_stat = m.stat;                         // best in x
  double sigma = m.interior ? std::sqrt(2.0 / m.curvature) : kNaN;  // in x
  // The problem MIGRAD ran on (pn: Gammapy's coordinates, or a decade-normalised
  // variable) and the factor from its variable to x.
  const Problem* pm = &pn;
  std::optional<Problem> pd;
  double m_to_x = 1.0 / unit;
  bool minuit_path = false;
  double best_m = kNaN, sigma_m = kNaN;  // MIGRAD's norm and error in its variable
  if (m.interior && (opt.minuit_errors || opt.minuit_norm)) {
    // Gammapy's first fit: MIGRAD from norm = 1 with step 1; its norm_err is the
    // covariance MIGRAD ends with. It can differ from the exact curvature by a percent
    // where MIGRAD's own numerical second derivative is noisy, and it stops within its
    // EDM goal (tol 0.1), up to ~1.4 % of the error away from the exact minimum.
    MigradFit fit = migrad_first_fit(pn, m.norm / m_to_x, sigma / m_to_x);
    if (!fit.taken) {
      // Outside Gammapy's scales: the same run in norm / 10^round(log10(max(|norm|,
      // error))), where the problem looks like one of Gammapy's.
      const double decade = decade_of(std::max(std::abs(m.norm), sigma) * unit);
      if (std::isfinite(decade) && decade > 0.0 && decade != 1.0) {
        pd.emplace(problems, p, decade);
        const double to_x = decade / unit;
        const MigradFit alt = migrad_first_fit(*pd, m.norm / to_x, sigma / to_x);
        if (alt.taken) {
          fit = alt;
          pm = &*pd;
          m_to_x = to_x;
        }
      }
    }
    if (fit.taken) {
      if (opt.minuit_errors) sigma = fit.error * m_to_x;
      if (opt.minuit_norm) {
        best_m = fit.x;
        sigma_m = opt.minuit_errors ? fit.error : sigma / m_to_x;
        best = fit.x * m_to_x;
        best_stat = pm->stat(fit.x);
        minuit_path = true;
      }
    }
  }
  const double null_x = opt.null_value / unit;
  out.norm_at_stat[p] = best * unit;
  out.stat[p] = best_stat;
  out.stat_null[p] = pn.stat(opt.null_value);
  out.ts[p] = out.stat_null[p] - best_stat;
  out.success[p] = m.interior ? 1 : 0;

  const double step0 = m.interior ? sigma : std::max(1.0, std::abs(m.norm)) * 1e-3;
  const double reach =
      kConfidenceReach * std::max(m.interior ? sigma : 0.0, std::abs(m.norm)) +
      (m.interior ? 0.0 : kConfidenceReach);
  // Where each interval is measured from (in x): the best fit, or on the MINUIT path
  // the norm of Gammapy's re-optimisation before it (errn/errp from the first, ul from
  // the next), run in MIGRAD's variable.
  // (MIGRAD's runs start from its own last value in its variable, current_m, as
  // Gammapy's do: a round trip through x could change its last bit.)
  double current = best, current_m = best_m;
  auto reoptimize_current = [&] {
    current_m = reoptimize(*pm, current_m, sigma_m);
    current = current_m * m_to_x;
  };
  if (m.interior) {
    out.norm[p] = best * unit;
    out.norm_err[p] = opt.n_sigma * sigma * unit;
    if (opt.errn_errp) {
      if (minuit_path) reoptimize_current();
      const double f0 = minuit_path ? px.stat(current) : best_stat;
      const double delta = opt.n_sigma * opt.n_sigma;
      out.norm_errn[p] = crossing(px, current, f0, delta, -1.0, step0, reach) * unit;
      out.norm_errp[p] = crossing(px, current, f0, delta, +1.0, step0, reach) * unit;
    }
  }
  if (opt.ul) {
    // Without an interior minimum the limit is still defined from the statistic's
    // infimum.
    if (minuit_path) reoptimize_current();
    const double f0 = minuit_path ? px.stat(current) : best_stat;
    out.norm_ul[p] =
        (current + crossing(px, current, f0, opt.n_sigma_ul * opt.n_sigma_ul, +1.0,
                            step0, reach)) *
        unit;
  }
  for (Index k = 0; k < n_scan; ++k)
    out.stat_scan(p, k) = pn.stat(opt.scan_values[static_cast<std::size_t>(k)]);
  if (opt.sensitivity) {
    out.norm_sensitivity[p] =
        sensitivity(px, null_x, opt.n_sigma_sensitivity, m.interior ? sigma : 1.0) *
        unit;
  }
  for (std::int64_t k = problems.offsets[p]; k < problems.offsets[p + 1]; ++k) {
    out.npred[k] = pn.npred(k, out.norm_at_stat[p]);
  }
}

void validate(const FitProblems& problems, const FitOptions& opt) {
  if (problems.n_problems < 0 || problems.offsets == nullptr)
    throw InvalidInput("no problem offsets");
  if (problems.offsets[0] != 0) throw InvalidInput("offsets[0] must be 0");
  for (Index p = 0; p < problems.n_problems; ++p) {
    if (problems.offsets[p + 1] < problems.offsets[p])
      throw InvalidInput("offsets must be non-decreasing");
  }
  const std::int64_t n_bins = problems.offsets[problems.n_problems];
  for (std::int64_t k = 0; k < n_bins; ++k) {
    const auto kind = static_cast<Statistic>(problems.statistic[k]);
    const bool wstat = kind == Statistic::wstat;
    const double n = problems.counts[k], b = problems.background[k],
                 s = problems.signal[k];
    if (kind != Statistic::cash && !wstat)
      throw InvalidInput("bin " + std::to_string(k) + ": unknown statistic kind");
    if (!std::isfinite(n) || n < 0.0)
      throw InvalidInput("bin " + std::to_string(k) +
                         ": counts must be finite and >= 0, got " + std::to_string(n));
    if (!std::isfinite(b) || (wstat && b < 0.0))
      throw InvalidInput("bin " + std::to_string(k) +
                         ": background/counts_off must be finite, got " +
                         std::to_string(b));
    if (!std::isfinite(s))
      throw InvalidInput("bin " + std::to_string(k) + ": signal must be finite, got " +
                         std::to_string(s));
    if (wstat && !(std::isfinite(problems.alpha[k]) && problems.alpha[k] >= 0.0)) {
      throw InvalidInput("bin " + std::to_string(k) +
                         ": alpha must be finite and >= 0");
    }
  }
  if (!(opt.n_sigma > 0.0 && opt.n_sigma_ul > 0.0 && opt.n_sigma_sensitivity > 0.0)) {
    throw InvalidInput("n_sigma, n_sigma_ul and n_sigma_sensitivity must be > 0");
  }
  if (!std::isfinite(opt.null_value)) throw InvalidInput("null_value must be finite");
  for (const double v : opt.scan_values) {
    if (!std::isfinite(v)) throw InvalidInput("scan values must be finite");
  }
}

}  // namespace

FitResults fit_norms(const FitProblems& problems, const FitOptions& options,
                     int n_threads) {
  validate(problems, options);
  const Index n = problems.n_problems;
  FitResults out;
  for (VectorXd* v :
       {&out.norm, &out.norm_err, &out.stat, &out.stat_null, &out.ts, &out.norm_errn,
        &out.norm_errp, &out.norm_ul, &out.norm_sensitivity, &out.norm_at_stat}) {
    v->setConstant(n, kNaN);
  }
  out.success.setZero(n);
  out.stat_scan.setConstant(n, static_cast<Index>(options.scan_values.size()), kNaN);
  out.npred.setConstant(static_cast<Index>(problems.offsets[n]), kNaN);
  parallel_for(n, n_threads, [&](Index p) { solve(problems, options, p, out); });
  return out;
}

VectorXd problem_stat(const FitProblems& problems, Index p, const VectorXd& norms) {
  if (p < 0 || p >= problems.n_problems)
    throw InvalidInput("problem index out of range: " + std::to_string(p));
  const Problem pb(problems, p);
  VectorXd out(norms.size());
  for (Index k = 0; k < norms.size(); ++k) out[k] = pb.stat(norms[k]);
  return out;
}

}  // namespace fluxprofile

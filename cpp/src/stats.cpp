#include "fluxprofile/stats.hpp"

#include <cmath>
#include <limits>

namespace fluxprofile {

double cash_truncation_log() {
  static const double value =
      std::log(static_cast<double>(static_cast<float>(kCashTruncation)));
  return value;
}

double cash(double counts, double mu) {
  if (mu > kCashTruncation)
    return 2.0 * (mu - (counts > 0.0 ? counts * std::log(mu) : 0.0));
  return 2.0 *
         (kCashTruncation - (counts > 0.0 ? counts * cash_truncation_log() : 0.0));
}

BinStat cash_in_norm(double counts, double background, double signal, double norm) {
  const double mu = background + norm * signal;
  BinStat out;
  out.value = cash(counts, mu);
  if (mu > kCashTruncation) {
    // Below the truncation the statistic is constant in norm.
    const double ratio = counts > 0.0 ? counts / mu : 0.0;
    out.gradient = 2.0 * signal * (1.0 - ratio);
    out.curvature = 2.0 * signal * signal * ratio / mu;
  }
  return out;
}

namespace {

double nan_to_num(double x) {
  if (std::isnan(x)) return 0.0;
  if (std::isinf(x))
    return x > 0 ? std::numeric_limits<double>::max()
                 : -std::numeric_limits<double>::max();
  return x;
}

double gof_terms(double n_on, double n_off) {
  double term = 0.0;
  if (n_on != 0.0) term -= n_on * (1.0 - std::log(n_on));
  if (n_off != 0.0) term -= n_off * (1.0 - std::log(n_off));
  return 2.0 * term;
}

// mu_b and its first two derivatives in mu_sig, following the closed-form root Gammapy
// uses.
struct MuBkg {
  double value, d1, d2;
};

MuBkg mu_bkg_with_derivatives(double n_on, double n_off, double alpha, double mu_sig) {
  const double a1 = alpha * (alpha + 1.0);
  const double c = alpha * (n_on + n_off) - (1.0 + alpha) * mu_sig;
  const double d = std::sqrt(c * c + 4.0 * a1 * n_off * mu_sig);
  double d1, d2;
  if (d > 0.0) {
    d1 = (-(1.0 + alpha) * c + 2.0 * a1 * n_off) / d;
    d2 = ((1.0 + alpha) * (1.0 + alpha) - d1 * d1) / d;
  } else {
    // At d == 0 only the right derivative exists (d = |c| locally with c decreasing).
    d1 = 1.0 + alpha;
    d2 = 0.0;
  }
  return MuBkg{(c + d) / (2.0 * a1), (-(1.0 + alpha) + d1) / (2.0 * a1),
               d2 / (2.0 * a1)};
}

}  // namespace

double wstat_mu_bkg(double n_on, double n_off, double alpha, double mu_sig) {
  if (alpha == 0.0) return n_off;
  return mu_bkg_with_derivatives(n_on, n_off, alpha, mu_sig).value;
}

// With alpha = 0 the OFF region says nothing about the ON background, which is then
// zero: the limit of WStat is Cash on the ON counts plus a constant OFF term.
// (Gammapy's closed form divides by alpha and gives NaN, which it maps to 0.)
static double wstat_off_term_alpha0(double n_on, double n_off) {
  return 2.0 * (n_off - (n_off > 0.0 ? n_off * std::log(n_off) : 0.0)) +
         gof_terms(n_on, n_off);
}

double wstat(double n_on, double n_off, double alpha, double mu_sig) {
  if (alpha == 0.0)
    return nan_to_num(cash(n_on, mu_sig) + wstat_off_term_alpha0(n_on, n_off));
  const double mu_b = wstat_mu_bkg(n_on, n_off, alpha, mu_sig);
  double half = mu_sig + (1.0 + alpha) * mu_b;
  if (n_on != 0.0) half -= n_on * std::log(mu_sig + alpha * mu_b);
  if (n_off != 0.0) half -= n_off * std::log(mu_b);
  return nan_to_num(2.0 * half + gof_terms(n_on, n_off));
}

BinStat wstat_in_norm(double n_on, double n_off, double alpha, double signal,
                      double norm) {
  if (alpha == 0.0) {
    BinStat out = cash_in_norm(n_on, 0.0, signal, norm);
    out.value = nan_to_num(out.value + wstat_off_term_alpha0(n_on, n_off));
    return out;
  }
  const double mu_sig = norm * signal;
  BinStat out;
  out.value = wstat(n_on, n_off, alpha, mu_sig);
  const MuBkg b = mu_bkg_with_derivatives(n_on, n_off, alpha, mu_sig);
  const double mu_on = mu_sig + alpha * b.value;
  // d/dmu_sig of W/2 = mu_sig + (1+alpha) mu_b - n_on log(mu_on) - n_off log(mu_b),
  // exact for the closed-form mu_b (whichever root it picks).
  double g = 1.0 + (1.0 + alpha) * b.d1;
  double h = (1.0 + alpha) * b.d2;
  if (n_on != 0.0) {
    const double don = 1.0 + alpha * b.d1;
    g -= n_on * don / mu_on;
    h -= n_on * (alpha * b.d2 / mu_on - don * don / (mu_on * mu_on));
  }
  if (n_off != 0.0) {
    g -= n_off * b.d1 / b.value;
    h -= n_off * (b.d2 / b.value - b.d1 * b.d1 / (b.value * b.value));
  }
  if (std::isfinite(g) && std::isfinite(h)) {
    out.gradient = 2.0 * signal * g;
    out.curvature = 2.0 * signal * signal * h;
  } else {
    // Where numpy's nan_to_num flattens the statistic, it has no slope either.
    out.gradient = 0.0;
    out.curvature = 0.0;
  }
  return out;
}

}  // namespace fluxprofile

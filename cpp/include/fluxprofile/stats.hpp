#pragma once
// Poisson fit statistics of one bin, as Gammapy defines them (-2 log L without the
// data-only constant for Cash; the profile-likelihood WStat with its goodness-of-fit
// terms).
namespace fluxprofile {

// Predictions at or below this value are truncated (Gammapy's TRUNCATION_VALUE).
constexpr double kCashTruncation = 1e-25;
// Gammapy takes the log of the truncation value in single precision.
double cash_truncation_log();

// Value, first and second derivative of a bin statistic with respect to the norm.
struct BinStat {
  double value = 0.0;
  double gradient = 0.0;
  double curvature = 0.0;
};

// Cash statistic of a bin with `counts` observed and prediction max(mu, 0).
double cash(double counts, double mu);

// Cash of a bin whose prediction is background + norm * signal, with derivatives in
// norm.
BinStat cash_in_norm(double counts, double background, double signal, double norm);

// WStat of a bin with n_on, n_off, alpha and signal prediction mu_sig (not clipped).
// Non-finite values are mapped as numpy.nan_to_num does (NaN -> 0, inf -> max double).
double wstat(double n_on, double n_off, double alpha, double mu_sig);

// The background in the OFF region that maximises the likelihood for mu_sig.
double wstat_mu_bkg(double n_on, double n_off, double alpha, double mu_sig);

// WStat of a bin with signal prediction norm * signal, with derivatives in norm.
BinStat wstat_in_norm(double n_on, double n_off, double alpha, double signal,
                      double norm);

}  // namespace fluxprofile

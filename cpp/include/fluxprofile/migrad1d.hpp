#pragma once
// A faithful one-parameter emulation of MINUIT2's MIGRAD as iminuit 2.33 runs it
// (`Minuit(fcn, x0); m.errors = [step0]; m.tol = tol; m.strategy = strategy;
// m.errordef = up; m.migrad()`), for an unbounded parameter.
//
// Gammapy reports norm_err = sqrt(MIGRAD's covariance) (no separate HESSE call), so the
// error is not the analytic curvature but whatever MIGRAD's variable-metric updates and
// its final internal HESSE produce. This emulation reproduces the floating-point
// operations of Minuit2 one by one (seed with numerical 2-point gradient, negative-g2
// line search, Newton step, parabolic line search, Davidon/BFGS update of the 1x1
// inverse Hessian, EDM test, the strategy-dependent HESSE with its gradient refinement,
// the outer "iterate while EDM too large after HESSE" loop), so that with the same
// objective function it returns the same x and error as iminuit bit for bit (verified
// on all reference problems and random Cash / WStat problems: tests/test_minuit_path.py
// against iminuit; docs/fit.rst).
//
// iminuit's retry logic is included: migrad(iterate=5) repeats, while the minimum is
// invalid and the call limit was not reached, SIMPLEX followed by MIGRAD with strategy
// 2 (up to iterate - 1 times), each MINUIT application counting its calls from zero.
// Omitted: parameter limits, analytical gradients, starting from an existing covariance
// (MnMigrad on a state with covariance), iminuit's `precision` override.
//
// Bit-for-bit agreement requires that `f` returns exactly the values gammapy computes;
// MIGRAD's path is chaotic in the last bits of f (numerical derivatives with tiny
// steps), so one-ulp differences in f typically change the error by 1e-5..1e-2
// relative.
#include <functional>

namespace fluxprofile {

struct Migrad1DResult {
  double x = 0.0;      // parameter at the minimum (iminuit m.values[0])
  double fval = 0.0;   // f at the minimum (m.fval)
  double error = 0.0;  // m.errors[0]: sqrt(2 up V), or MINUIT's step if the covariance
                       // is not valid
  double edm = 0.0;    // estimated distance to minimum of the last state (m.fmin.edm)
  bool valid = false;  // m.fmin.is_valid
  int nfcn = 0;        // number of calls of f (m.nfcn)
  // Extra diagnostics.
  bool reached_call_limit = false;  // m.fmin.has_reached_call_limit
  bool above_max_edm = false;       // m.fmin.is_above_max_edm
  bool covariance_valid =
      false;        // m.fmin.has_covariance and valid (error is sqrt(2 up V))
  int retries = 0;  // SIMPLEX + MIGRAD(strategy 2) rounds after the first MIGRAD
};

// Minimise f starting at x0 with initial step (iminuit "error") step0 > 0.
// tol: iminuit's tol (EDM goal 0.002 * tol * up); strategy 0, 1 or 2; up: errordef;
// maxfcn: call limit of each MINUIT application (0 -> Minuit2's default 200 + 100 n + 5
// n^2 = 305); iterate: iminuit's migrad(iterate=...) (1 = a single MIGRAD, no retries).
Migrad1DResult migrad_1d(const std::function<double(double)>& f, double x0,
                         double step0, double tol = 0.1, int strategy = 1,
                         double up = 1.0, int maxfcn = 0, int iterate = 5);

}  // namespace fluxprofile

// One-parameter emulation of MINUIT2's MIGRAD (see fluxprofile/migrad1d.hpp).
//
// Every arithmetic expression below is written in the order in which Minuit2 evaluates
// it (including its 1x1 "matrix" operations), because MIGRAD's result depends on the
// last bits of every intermediate value. Do not simplify algebraically, and do not
// compile with -ffast-math or FMA contraction (the pragmas below switch contraction off
// for this file).
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "fluxprofile/migrad1d.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fluxprofile {

namespace {

// Minuit2's MnMachinePrecision as used by iminuit: eps = 8 * 2^-53 (the value its
// precision probe finds), eps2 = 2 sqrt(eps).
const double kEps = 8.0 * std::ldexp(1.0, -53);
const double kEps2 = 2.0 * std::sqrt(kEps);

struct Strategy {
  int level;
  unsigned grad_ncycles;
  double grad_step_tol, grad_tol;
  unsigned hess_ncycles;
  double hess_step_tol, hess_g2_tol;
  unsigned hess_grad_ncycles;
};

Strategy make_strategy(int level) {
  if (level <= 0) return {0, 2, 0.5, 0.1, 3, 0.5, 0.1, 1};
  if (level == 1) return {1, 3, 0.3, 0.05, 5, 0.3, 0.05, 2};
  return {2, 5, 0.1, 0.02, 7, 0.1, 0.02, 6};
}

// Status of the (inverse Hessian) error "matrix", as in MinimumError.
enum class ErrStatus {
  pos_def,
  made_pos_def,
  not_pos_def,
  hesse_failed,
  invert_failed,
  call_limit,
  unset
};

// MinimumError::IsValid of the Minuit2 bundled with iminuit 2.33 (NotPosDef counts as
// valid).
bool status_valid(ErrStatus s) {
  return s == ErrStatus::pos_def || s == ErrStatus::made_pos_def ||
         s == ErrStatus::not_pos_def;
}

struct Gradient {
  double grd, g2, gstep;
};

struct State {
  double x, fval;
  Gradient g;
  double v;       // inverse Hessian (1x1)
  double dcovar;  // MinimumError::Dcovar
  ErrStatus status;
  double edm;
};

class Fcn {
 public:
  Fcn(const std::function<double(double)>& f, double up) : f_(f), up_(up) {}
  double operator()(double x) {
    ++n_;
    ++total_;
    return f_(x);
  }
  // Calls in the current MINUIT application (MnMigrad / MnSimplex count from zero).
  int calls() const { return n_; }
  int total_calls() const { return total_; }
  void new_application() { n_ = 0; }
  double up() const { return up_; }

 private:
  const std::function<double(double)>& f_;
  double up_;
  int n_ = 0;
  int total_ = 0;
};

double edm_of(double grd, double v) { return 0.5 * grd * grd * v; }

// InitialGradientCalculator for an unbounded parameter with user step `werr`.
Gradient initial_gradient(double x, double werr, double up) {
  const double vplu = (x + werr) - x;
  const double vmin = (x - werr) - x;
  const double gsmin = 8. * kEps2 * (std::fabs(x) + kEps2);
  const double dirin = std::max(0.5 * (std::fabs(vplu) + std::fabs(vmin)), gsmin);
  const double g2 = 2.0 * up / (dirin * dirin);
  const double gstep = std::max(gsmin, 0.1 * dirin);
  const double grd = g2 * dirin;
  return {grd, g2, gstep};
}

// Numerical2PGradientCalculator, starting from the previous gradient estimate.
Gradient numerical_gradient(Fcn& fcn, double x, double fval, Gradient in,
                            const Strategy& s) {
  const double dfmin = 8. * kEps2 * (std::fabs(fval) + fcn.up());
  const double vrysml = 8. * kEps * kEps;
  double grd = in.grd, g2 = in.g2, gstep = in.gstep;
  const double epspri = kEps2 + std::fabs(grd * kEps2);
  double stepb4 = 0.;
  for (unsigned j = 0; j < s.grad_ncycles; ++j) {
    const double optstp = std::sqrt(dfmin / (std::fabs(g2) + epspri));
    double step = std::max(optstp, std::fabs(0.1 * gstep));
    const double stpmax = 10. * std::fabs(gstep);
    if (step > stpmax) step = stpmax;
    const double stpmin = std::max(vrysml, 8. * std::fabs(kEps2 * x));
    if (step < stpmin) step = stpmin;
    if (std::fabs((step - stepb4) / step) < s.grad_step_tol) break;
    gstep = step;
    stepb4 = step;
    const double fs1 = fcn(x + step);
    const double fs2 = fcn(x - step);
    const double grdb4 = grd;
    grd = 0.5 * (fs1 - fs2) / step;
    g2 = (fs1 + fs2 - 2. * fval) / step / step;
    if (std::fabs(grdb4 - grd) / (std::fabs(grd) + dfmin / step) < s.grad_tol) break;
  }
  return {grd, g2, gstep};
}

struct LinePoint {
  double x, y;
};

// MnLineSearch: search along x0 + slam * step, slam > 0 expected near 1; gdel =
// df/dslam(0). Returns (slam at the lowest value found, that value).
LinePoint line_search(Fcn& fcn, double x0, double f0, double step, double gdel) {
  double overal = 1000.;
  double undral = -100.;
  const double toler = 0.05;
  double slamin = 0.;
  const double slambg = 5.;
  const double alpha = 2.;
  const int maxiter = 12;
  int niter = 1;

  if (step != 0) {
    const double ratio = std::fabs(x0 / step);
    if (slamin == 0) slamin = ratio;
    if (ratio < slamin) slamin = ratio;
  }
  if (std::fabs(slamin) < kEps) slamin = kEps;
  slamin *= kEps2;

  const double f1 = fcn(x0 + step);
  ++niter;
  double fvmin = f0;
  double xvmin = 0.;
  if (f1 < f0) {
    fvmin = f1;
    xvmin = 1.;
  }
  double toler8 = toler;
  double slamax = slambg;
  double flast = f1;
  double slam = 1.;
  LinePoint p0{0., f0};
  LinePoint p1{slam, flast};
  double f2 = 0.;
  bool iterate = false;
  // Quadratic interpolation from p0, p1 and the slope at p0.
  do {
    iterate = false;
    double denom = 2. * (flast - f0 - gdel * slam) / (slam * slam);
    if (denom != 0) {
      slam = -gdel / denom;
    } else {
      denom = -0.1 * gdel;
      slam = 1.;
    }
    if (slam < 0.) slam = slamax;
    if (slam > slamax) slam = slamax;
    if (slam < toler8) slam = toler8;
    if (slam < slamin) return {xvmin, fvmin};
    if (std::fabs(slam - 1.) < toler8 && p1.y < p0.y) return {xvmin, fvmin};
    if (std::fabs(slam - 1.) < toler8) slam = 1. + toler8;
    f2 = fcn(x0 + slam * step);
    ++niter;
    if (f2 < fvmin) {
      fvmin = f2;
      xvmin = slam;
    }
    if (std::fabs(p0.y - fvmin) < std::fabs(fvmin) * kEps) {
      iterate = true;
      flast = f2;
      toler8 = toler * slam;
      overal = slam - toler8;
      slamax = overal;
      p1 = {slam, flast};
    }
  } while (iterate && niter < maxiter);
  if (niter >= maxiter) return {xvmin, fvmin};

  LinePoint p2{slam, f2};
  // Quadratic interpolation through three points.
  do {
    slamax = std::max(slamax, alpha * std::fabs(xvmin));
    // MnParabolaFactory (three points, centred on their mean).
    double x1 = p0.x, x2 = p1.x, x3 = p2.x;
    const double dx12 = x1 - x2, dx13 = x1 - x3, dx23 = x2 - x3;
    const double xm = (x1 + x2 + x3) / 3.;
    x1 -= xm;
    x2 -= xm;
    x3 -= xm;
    const double y1 = p0.y, y2 = p1.y, y3 = p2.y;
    const double a = y1 / (dx12 * dx13) - y2 / (dx12 * dx23) + y3 / (dx13 * dx23);
    double b = -y1 * (x2 + x3) / (dx12 * dx13) + y2 * (x1 + x3) / (dx12 * dx23) -
               y3 * (x1 + x2) / (dx13 * dx23);
    b -= 2. * xm * a;  // (the constant term is not needed)
    if (a < kEps2) {
      const double slopem = 2. * a * xvmin + b;
      slam = slopem < 0. ? xvmin + slamax : xvmin - slamax;
    } else {
      slam = -b / (2. * a);
      if (slam > xvmin + slamax) slam = xvmin + slamax;
      if (slam < xvmin - slamax) slam = xvmin - slamax;
    }
    if (slam > 0.) {
      if (slam > overal) slam = overal;
    } else {
      if (slam < undral) slam = undral;
    }

    double f3 = 0.;
    do {
      iterate = false;
      const double toler9 = std::max(toler8, std::fabs(toler8 * slam));
      if (std::fabs(p0.x - slam) < toler9 || std::fabs(p1.x - slam) < toler9 ||
          std::fabs(p2.x - slam) < toler9)
        return {xvmin, fvmin};
      f3 = fcn(x0 + slam * step);
      if (f3 > p0.y && f3 > p1.y && f3 > p2.y) {
        if (slam > xvmin) overal = std::min(overal, slam - toler8);
        if (slam < xvmin) undral = std::max(undral, slam + toler8);
        slam = 0.5 * (slam + xvmin);
        iterate = true;
        ++niter;
      }
    } while (iterate && niter < maxiter);
    if (niter >= maxiter) return {xvmin, fvmin};

    const LinePoint p3{slam, f3};
    if (p0.y > p1.y && p0.y > p2.y)
      p0 = p3;
    else if (p1.y > p0.y && p1.y > p2.y)
      p1 = p3;
    else
      p2 = p3;
    if (f3 < fvmin) {
      fvmin = f3;
      xvmin = slam;
    } else {
      if (slam > xvmin) overal = std::min(overal, slam - toler8);
      if (slam < xvmin) undral = std::max(undral, slam + toler8);
    }
    ++niter;
  } while (niter < maxiter);
  return {xvmin, fvmin};
}

// DavidonErrorUpdator on a 1x1 inverse Hessian v with dcovar; dx, dg: changes of x and
// gradient. Returns false (no update) when Minuit2 keeps the old matrix.
bool davidon_update(double v, double dcovar, double dx, double dg, double& v_new,
                    double& dcovar_new) {
  const double delgam = dx * dg;
  const double vg = v * dg;
  const double gvg = dg * vg;
  if (delgam == 0) return false;
  if (gvg <= 0) return false;
  // Outer products scaled by 1/delgam and -1/gvg, accumulated as Minuit2's LA does.
  double upd = dx * ((1. / delgam) * dx);
  upd = upd + vg * ((-(1. / gvg)) * vg);
  if (delgam > gvg) {
    const double u = dx * (1. / delgam) + (-(1. / gvg)) * vg;
    upd = upd + u * (gvg * u);
  }
  const double sum_upd = std::fabs(upd);
  v_new = upd + v;
  dcovar_new = 0.5 * (dcovar + sum_upd / std::fabs(v_new));
  return true;
}

// MnPosDef for a 1x1 matrix.
void make_pos_def(State& st) {
  if (st.v < kEps) {
    st.v = 1.;
    st.status = ErrStatus::made_pos_def;
    st.dcovar = 1.;
  }
}

// MnHesse (numerical) at state st; maxcalls is the call limit of the whole
// minimisation.
State hesse(Fcn& fcn, const State& st, const Strategy& s, int maxcalls) {
  const double x = st.x;
  const double amin = fcn(x);
  const double aimsag = std::sqrt(kEps2) * (std::fabs(amin) + fcn.up());
  double g2 = st.g.g2, gst = st.g.gstep, grd = st.g.grd;
  const double dmin = 8. * kEps2 * (std::fabs(x) + kEps2);
  double d = std::fabs(gst);
  if (d < dmin) d = dmin;

  auto failed = [&](ErrStatus status) {
    // Diagonal fallback from the G2 of the loop; the input gradient and edm are kept.
    const double tmp = g2 < kEps2 ? 1. : 1. / g2;
    State out = st;
    out.v = tmp < kEps2 ? 1. : tmp;
    out.status = status;
    out.dcovar = 1.;
    return out;
  };

  for (unsigned icyc = 0; icyc < s.hess_ncycles; ++icyc) {
    double sag = 0., fs1 = 0., fs2 = 0.;
    bool nonzero = false;
    for (unsigned multpy = 0; multpy < 5; ++multpy) {
      fs1 = fcn(x + d);
      fs2 = fcn(x - d);
      sag = 0.5 * (fs1 + fs2 - 2. * amin);
      if (sag != 0) {
        nonzero = true;
        break;
      }
      d *= 10.;
    }
    if (!nonzero) return failed(ErrStatus::hesse_failed);
    const double g2bfor = g2;
    g2 = 2. * sag / (d * d);
    grd = (fs1 - fs2) / (2. * d);
    gst = d;
    const double dlast = d;
    d = std::sqrt(2. * aimsag / std::fabs(g2));
    if (d < dmin) d = dmin;
    if (std::fabs((d - dlast) / d) < s.hess_step_tol) break;
    if (std::fabs((g2 - g2bfor) / g2) < s.hess_g2_tol) break;
    d = std::min(d, 10. * dlast);
    d = std::max(d, 0.1 * dlast);
  }
  if (fcn.calls() > maxcalls) return failed(ErrStatus::call_limit);

  if (s.level > 0) {
    // HessianGradientCalculator: refine the first derivative with smaller steps.
    const double dfmin = 4. * kEps2 * (std::fabs(st.fval) + fcn.up());
    const double xtf = x;
    const double dmin2 = 4. * kEps2 * (xtf + kEps2);
    const double epspri = kEps2 + std::fabs(grd * kEps2);
    const double optstp = std::sqrt(dfmin / (std::fabs(g2) + epspri));
    double dd = 0.2 * std::fabs(gst);
    if (dd > optstp) dd = optstp;
    if (dd < dmin2) dd = dmin2;
    double chgold = 10000.;
    for (unsigned j = 0; j < s.hess_grad_ncycles; ++j) {
      const double fs1 = fcn(xtf + dd);
      const double fs2 = fcn(xtf - dd);
      const double grdold = grd;
      const double grdnew = (fs1 - fs2) / (2. * dd);
      const double dgmin = kEps * (std::fabs(fs1) + std::fabs(fs2)) / dd;
      if (grdnew == 0) break;
      const double change = std::fabs((grdold - grdnew) / grdnew);
      if (change > chgold && j > 1) break;
      chgold = change;
      grd = grdnew;
      gst = dd;
      if (change < 0.05) break;
      if (std::fabs(grdold - grdnew) < dgmin) break;
      if (dd < dmin2) break;
      dd *= 0.2;
    }
  }

  // MnPosDef on the 1x1 Hessian, then inversion.
  double h = g2;
  bool made_pos_def = false;
  if (h < kEps) {
    h = 1.;
    made_pos_def = true;
  }
  if (!(h > 0.)) return failed(ErrStatus::invert_failed);
  State out = st;
  out.g = {grd, g2, gst};
  out.v = 1. / h;
  out.status = made_pos_def ? ErrStatus::made_pos_def : ErrStatus::pos_def;
  out.dcovar = made_pos_def ? 1. : 0.;
  out.edm = edm_of(grd, out.v);
  return out;
}

enum class InnerFlag { ok, call_limit, above_max_edm };

// VariableMetricBuilder's iteration loop from state st (updated in place to the last
// full state).
InnerFlag vmb_iterate(Fcn& fcn, State& st, const Strategy& s, int maxfcn,
                      double edmval) {
  double edm = st.edm * (1. + 3. * st.dcovar);
  do {
    double step = -(st.g.grd * st.v);
    if (st.g.grd * st.g.grd <= 0) break;
    double gdel = step * st.g.grd;
    if (gdel > 0.) {
      make_pos_def(st);
      step = -(st.g.grd * st.v);
      gdel = step * st.g.grd;
      if (gdel > 0.) return InnerFlag::ok;
    }
    const LinePoint pp = line_search(fcn, st.x, st.fval, step, gdel);
    if (std::fabs(pp.y - st.fval) <= std::fabs(st.fval) * kEps)
      break;  // no improvement
    const double xn = st.x + pp.x * step;
    const Gradient g = numerical_gradient(fcn, xn, pp.y, st.g, s);
    edm = edm_of(g.grd, st.v);
    if (std::isnan(edm)) return InnerFlag::ok;
    if (edm < 0.) {
      make_pos_def(st);
      edm = edm_of(g.grd, st.v);
      if (edm < 0.) return InnerFlag::ok;
    }
    State next{xn, pp.y, g, st.v, st.dcovar, ErrStatus::pos_def, edm};
    if (!davidon_update(st.v, st.dcovar, xn - st.x, g.grd - st.g.grd, next.v,
                        next.dcovar))
      next.status = st.status;
    st = next;
    edm *= (1. + 3. * st.dcovar);
  } while (edm > edmval && fcn.calls() < maxfcn);

  if (fcn.calls() >= maxfcn) return InnerFlag::call_limit;
  if (edm > edmval) {
    if (edm < 10 * edmval) return InnerFlag::ok;
    if (edm < std::fabs(kEps2 * st.fval)) return InnerFlag::ok;
    return InnerFlag::above_max_edm;
  }
  return InnerFlag::ok;
}

// Result of one MINUIT application (MnMigrad or MnSimplex).
struct Outcome {
  State st;
  double dirin =
      0.0;  // MinimumParameters::Dirin (simplex only; zero for MIGRAD states)
  bool valid = false, call_limit = false, above_max_edm = false;
  // The parameter error the user state carries into the next application.
  double user_error(double up) const {
    return status_valid(st.status) ? std::sqrt(2. * up * st.v) : dirin;
  }
};

Outcome outcome(const State& st, bool valid, bool call_limit, bool above_max_edm) {
  Outcome o;
  o.st = st;
  o.valid = valid;
  o.call_limit = call_limit;
  o.above_max_edm = above_max_edm;
  return o;
}

// MnMigrad(fcn, state{x0, step0}, strategy)(maxfcn, tol) for a state without
// covariance.
Outcome run_migrad(Fcn& fcn, double x0, double step0, double tol, int strategy,
                   int maxfcn) {
  const Strategy s = make_strategy(strategy);
  const double up = fcn.up();
  fcn.new_application();
  if (maxfcn <= 0) maxfcn = 200 + 100 + 5;

  // ---- MnSeedGenerator
  State st;
  st.x = x0;
  st.fval = fcn(x0);
  st.g = numerical_gradient(fcn, x0, st.fval, initial_gradient(x0, step0, up), s);
  st.v = st.g.g2 > kEps ? 1. / st.g.g2 : 1.0;
  st.dcovar = 1.;
  st.status = ErrStatus::pos_def;
  st.edm = edm_of(st.g.grd, st.v);
  if (st.g.g2 <= 0) {
    // NegativeG2LineSearch: step by the gradient step downhill until g2 > 0 (at most 3
    // times).
    unsigned iter = 0;
    bool iterate = false;
    do {
      iterate = false;
      if (st.g.g2 <= 0 && !(std::fabs(st.g.grd) < kEps && std::fabs(st.g.g2) < kEps)) {
        double step = st.g.grd < 0 ? st.g.gstep : -st.g.gstep;
        const double gdel = step * st.g.grd;
        const LinePoint pp = line_search(fcn, st.x, st.fval, step, gdel);
        step *= pp.x;
        st.x = st.x + step;
        st.fval = pp.y;
        st.g = numerical_gradient(fcn, st.x, st.fval, st.g, s);
        iterate = true;
      }
    } while (iter++ < 2 && iterate);
    st.v = std::fabs(st.g.g2) > kEps ? 1. / st.g.g2 : 1.;
    st.dcovar = 1.;
    st.edm = edm_of(st.g.grd, st.v);
    st.status = st.edm < 0 ? ErrStatus::not_pos_def : ErrStatus::pos_def;
  }
  if (s.level >= 2) st = hesse(fcn, st, s, 200 + 100 + 5);
  if (st.edm < 0.) {
    // "Initial matrix not pos.def." (negative g2 after the negative-g2 line search):
    // MIGRAD returns the seed state, whose edm slot holds fval. Its error status
    // (NotPosDef) counts as valid, so the minimum is reported valid with error sqrt(2
    // up V) = NaN (V < 0). (A failed seed HESSE of strategy 2 is not fatal: MIGRAD
    // iterates from its fallback.)
    st.edm = st.fval;
    return outcome(st, status_valid(st.status), false, false);
  }

  // ---- ModularFunctionMinimizer / VariableMetricBuilder
  double edmval = tol * up;
  if (edmval < kEps2) edmval = kEps2;
  edmval *= 0.002;

  int maxfcn_eff = maxfcn;
  int ipass = 0;
  bool iterate = false;
  double edm = st.edm;
  do {
    iterate = false;
    const InnerFlag flag = vmb_iterate(fcn, st, s, maxfcn_eff, edmval);
    if (flag == InnerFlag::call_limit) return outcome(st, false, true, false);
    if (ipass > 0 && (flag == InnerFlag::above_max_edm || !status_valid(st.status)))
      return outcome(st, false, false, flag == InnerFlag::above_max_edm);
    edm = st.edm;
    if (s.level >= 2 || (s.level == 1 && st.dcovar > 0.05)) {
      st = hesse(fcn, st, s, maxfcn);
      if (!status_valid(st.status)) break;
      edm = st.edm;
      if (edm > edmval) {
        const double machine_limit = std::fabs(kEps2 * st.fval);
        if (edm >= machine_limit) iterate = true;
      }
    }
    if (ipass == 0) maxfcn_eff = static_cast<int>(maxfcn * 1.3);
    ++ipass;
  } while (iterate);

  if (edm > 10 * edmval) return outcome(st, false, false, true);
  if (st.status == ErrStatus::call_limit) return outcome(st, false, true, false);
  return outcome(st, status_valid(st.status), false, false);
}

// MnSimplex(fcn, state{x0, werr})(maxfcn, tol): Nelder-Mead in one dimension.
Outcome run_simplex(Fcn& fcn, double x0, double werr, double tol, int maxfcn) {
  const double up = fcn.up();
  fcn.new_application();
  if (maxfcn <= 0) maxfcn = 200 + 100 + 5;
  double minedm = tol * up;
  if (minedm < kEps2) minedm = kEps2;

  // SimplexSeedGenerator: one call, the initial-gradient step.
  const double fseed = fcn(x0);
  double step = 10. * initial_gradient(x0, werr, up).gstep;

  const double wg = 1. / 1.;
  const double alpha = 1., beta = 0.5, gamma = 2., rhomin = 4., rhomax = 8.;
  const double rho1 = 1. + alpha;
  const double rho2 = 1. + alpha * gamma;

  struct Pt {
    double f, x;
  };
  Pt simpl[2];
  simpl[0] = {fseed, x0};
  unsigned jl = 0, jh = 0;
  double amin = fseed, aming = fseed;
  {
    double x = x0;
    const double dmin = 8. * kEps2 * (std::fabs(x) + kEps2);
    if (step < dmin) step = dmin;
    x += step;
    const double tmp = fcn(x);
    if (tmp < amin) {
      amin = tmp;
      jl = 1;
    }
    if (tmp > aming) {
      aming = tmp;
      jh = 1;
    }
    simpl[1] = {tmp, x};
  }
  auto update = [&](double y, double p) {  // SimplexParameters::Update
    simpl[jh] = {y, p};
    if (y < simpl[jl].f) jl = jh;
    unsigned h = 0;
    if (simpl[1].f > simpl[h].f) h = 1;
    jh = h;
  };
  auto sedm = [&]() { return simpl[jh].f - simpl[jl].f; };
  auto centroid = [&]() {  // pbar = sum over the other points of wg * x
    double pbar = 0.;
    for (unsigned i = 0; i < 2; ++i)
      if (i != jh) pbar = pbar + wg * simpl[i].x;
    return pbar;
  };

  double edm_prev = sedm();
  do {
    amin = simpl[jl].f;
    edm_prev = sedm();
    const double pbar = centroid();
    const double pstar = (1. + alpha) * pbar + (-alpha) * simpl[jh].x;
    const double ystar = fcn(pstar);
    if (ystar > amin) {
      if (ystar < simpl[jh].f) {
        const unsigned jh_before = jh;
        update(ystar, pstar);
        if (jh_before != jh) continue;
      }
      const double pstst = beta * simpl[jh].x + (1. - beta) * pbar;
      const double ystst = fcn(pstst);
      if (ystst > simpl[jh].f) break;
      update(ystst, pstst);
      continue;
    }
    double pstst = gamma * pstar + (1. - gamma) * pbar;
    double ystst = fcn(pstst);
    const double y1 = (ystar - simpl[jh].f) * rho2;
    const double y2 = (ystst - simpl[jh].f) * rho1;
    double rho = 0.5 * (rho2 * y1 - rho1 * y2) / (y1 - y2);
    if (rho < rhomin) {
      if (ystst < simpl[jl].f)
        update(ystst, pstst);
      else
        update(ystar, pstar);
      continue;
    }
    if (rho > rhomax) rho = rhomax;
    const double prho = rho * pbar + (1. - rho) * simpl[jh].x;
    const double yrho = fcn(prho);
    if (yrho < simpl[jl].f && yrho < ystst) {
      update(yrho, prho);
      continue;
    }
    if (ystst < simpl[jl].f) {
      update(ystst, pstst);
      continue;
    }
    if (yrho > simpl[jl].f) {
      if (ystst < simpl[jl].f)
        update(ystst, pstst);
      else
        update(ystar, pstar);
      continue;
    }
    if (ystar > simpl[jh].f) {
      pstst = beta * simpl[jh].x + (1. - beta) * pbar;
      ystst = fcn(pstst);
      if (ystst > simpl[jh].f) break;
      update(ystst, pstst);
    }
  } while ((sedm() > minedm || edm_prev > minedm) && fcn.calls() < maxfcn);

  amin = simpl[jl].f;
  double pbar = centroid();
  double ybar = fcn(pbar);
  if (ybar < amin) {
    update(ybar, pbar);
  } else {
    pbar = simpl[jl].x;
    ybar = simpl[jl].f;
  }
  const double pbig = std::max(simpl[0].x, simpl[1].x),
               plit = std::min(simpl[0].x, simpl[1].x);
  double dirin = pbig - plit;
  dirin *= std::sqrt(up / sedm());

  Outcome o;
  o.st.x = pbar;
  o.st.fval = ybar;
  o.st.edm = sedm();
  o.st.status = ErrStatus::unset;
  o.st.v = 0.;
  o.st.dcovar = 1.;
  o.st.g = {0., 0., 0.};
  o.dirin = dirin;
  o.call_limit = fcn.calls() > maxfcn;
  o.above_max_edm = !o.call_limit && sedm() > minedm;
  o.valid = false;  // no covariance: never a valid minimum
  return o;
}

}  // namespace

Migrad1DResult migrad_1d(const std::function<double(double)>& f, double x0,
                         double step0, double tol, int strategy, double up, int maxfcn,
                         int iterate) {
  Fcn fcn(f, up);
  Outcome fm = run_migrad(fcn, x0, step0, tol, strategy, maxfcn);
  int retries = 0;
  // iminuit's _robust_low_level_fit(iterate, use_simplex=True): SIMPLEX then MIGRAD
  // with strategy 2, each starting from the previous user state (value and error, no
  // covariance for the MIGRAD after SIMPLEX).
  while (!fm.valid && !fm.call_limit && iterate > 1) {
    const Outcome sx = run_simplex(fcn, fm.st.x, fm.user_error(up), tol, maxfcn);
    fm = run_migrad(fcn, sx.st.x, sx.user_error(up), tol, 2, maxfcn);
    --iterate;
    ++retries;
  }

  Migrad1DResult r;
  r.x = fm.st.x;
  r.fval = fm.st.fval;
  r.edm = fm.st.edm;
  r.covariance_valid = status_valid(fm.st.status);
  r.error = fm.user_error(up);
  r.valid = fm.valid;
  r.nfcn = fcn.total_calls();
  r.reached_call_limit = fm.call_limit;
  r.above_max_edm = fm.above_max_edm;
  r.retries = retries;
  return r;
}

}  // namespace fluxprofile

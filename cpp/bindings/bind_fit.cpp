// Bindings of the norm fits and of the per-bin statistics (the latter for tests).
#include "pybind.hpp"

#include "fluxprofile/fit.hpp"
#include "fluxprofile/stats.hpp"

namespace fp = fluxprofile;

namespace {

using F64Array = py::array_t<double, py::array::c_style>;
using I64Array = py::array_t<std::int64_t, py::array::c_style>;
using I8Array = py::array_t<std::int8_t, py::array::c_style>;

fp::FitProblems make_problems(const I64Array& offsets, const I8Array& kind, const F64Array& counts,
                              const F64Array& background, const F64Array& alpha,
                              const F64Array& signal) {
  if (offsets.ndim() != 1 || offsets.shape(0) < 1) throw fp::InvalidInput("offsets must be 1-D with n_problems + 1 entries");
  const py::ssize_t n_bins = counts.shape(0);
  for (const py::array* a : {static_cast<const py::array*>(&kind), static_cast<const py::array*>(&counts),
                             static_cast<const py::array*>(&background), static_cast<const py::array*>(&alpha),
                             static_cast<const py::array*>(&signal)}) {
    if (a->ndim() != 1 || a->shape(0) != n_bins) throw fp::InvalidInput("kind, counts, background, alpha and signal must be 1-D of equal length");
  }
  if (offsets.at(offsets.shape(0) - 1) != n_bins) throw fp::InvalidInput("offsets[-1] must equal the number of bins");
  fp::FitProblems p;
  p.offsets = offsets.data();
  p.n_problems = offsets.shape(0) - 1;
  p.kind = kind.data();
  p.counts = counts.data();
  p.background = background.data();
  p.alpha = alpha.data();
  p.signal = signal.data();
  return p;
}

}  // namespace

void bind_fit(py::module_& m) {
  m.def(
      "fit_norms",
      [](const I64Array& offsets, const I8Array& kind, const F64Array& counts, const F64Array& background,
         const F64Array& alpha, const F64Array& signal, double n_sigma, double n_sigma_ul,
         double n_sigma_sensitivity, double null_value, bool errn_errp, bool ul, bool sensitivity,
         std::vector<double> scan_values, bool minuit_errors, bool minuit_norm, int n_threads) {
        const fp::FitProblems problems = make_problems(offsets, kind, counts, background, alpha, signal);
        fp::FitOptions opt;
        opt.n_sigma = n_sigma;
        opt.n_sigma_ul = n_sigma_ul;
        opt.n_sigma_sensitivity = n_sigma_sensitivity;
        opt.null_value = null_value;
        opt.errn_errp = errn_errp;
        opt.ul = ul;
        opt.sensitivity = sensitivity;
        opt.scan_values = std::move(scan_values);
        opt.minuit_errors = minuit_errors;
        opt.minuit_norm = minuit_norm;
        fp::FitResults r;
        {
          py::gil_scoped_release release;  // safe: the arrays are kept alive by the arguments
          r = fp::fit_norms(problems, opt, n_threads);
        }
        py::array_t<bool> success(r.success.size());
        for (py::ssize_t i = 0; i < success.shape(0); ++i) success.mutable_at(i) = r.success[i] != 0;
        return py::dict("norm"_a = r.norm, "norm_err"_a = r.norm_err, "stat"_a = r.stat,
                        "stat_null"_a = r.stat_null, "ts"_a = r.ts, "norm_errn"_a = r.norm_errn,
                        "norm_errp"_a = r.norm_errp, "norm_ul"_a = r.norm_ul,
                        "norm_sensitivity"_a = r.norm_sensitivity, "norm_at_stat"_a = r.norm_at_stat,
                        "success"_a = success, "stat_scan"_a = r.stat_scan, "npred"_a = r.npred);
      },
      py::arg("offsets").noconvert(), py::arg("kind").noconvert(), py::arg("counts").noconvert(),
      py::arg("background").noconvert(), py::arg("alpha").noconvert(), py::arg("signal").noconvert(),
      py::arg("n_sigma") = 1.0, py::arg("n_sigma_ul") = 2.0, py::arg("n_sigma_sensitivity") = 5.0,
      py::arg("null_value") = 0.0, py::arg("errn_errp") = false, py::arg("ul") = false,
      py::arg("sensitivity") = false, py::arg("scan_values") = std::vector<double>{},
      py::arg("minuit_errors") = true, py::arg("minuit_norm") = false, py::arg("n_threads") = 0, "Fit the norm of every problem (see fluxprofile/fit.hpp).");

  m.def(
      "problem_stat",
      [](const I64Array& offsets, const I8Array& kind, const F64Array& counts, const F64Array& background,
         const F64Array& alpha, const F64Array& signal, py::ssize_t problem, const fp::VectorXd& norms) {
        const fp::FitProblems problems = make_problems(offsets, kind, counts, background, alpha, signal);
        return fp::problem_stat(problems, problem, norms);
      },
      py::arg("offsets").noconvert(), py::arg("kind").noconvert(), py::arg("counts").noconvert(),
      py::arg("background").noconvert(), py::arg("alpha").noconvert(), py::arg("signal").noconvert(),
      py::arg("problem"), py::arg("norms"), "Total statistic of one problem at the given norms.");

  m.def("cash", py::vectorize(fp::cash), py::arg("counts"), py::arg("mu"),
        "Gammapy's Cash statistic per bin (truncated at 1e-25).");
  m.def("wstat", py::vectorize(fp::wstat), py::arg("n_on"), py::arg("n_off"), py::arg("alpha"),
        py::arg("mu_sig"), "Gammapy's WStat statistic per bin.");
}

// Bindings of the norm fits (Statistic, FitProblems, FitOptions, FitResults, fit_norms,
// problem_stat) and of the per-bin statistics (cash, wstat).
#include <string>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "fluxprofile/fit.hpp"
#include "fluxprofile/parallel.hpp"
#include "fluxprofile/stats.hpp"
#include "interruptible.hpp"
#include "pybind.hpp"

namespace fp = fluxprofile;
using fluxprofile_bindings::checked_array;

namespace {

// The problems in the core's compressed layout (FitProblems in fit.hpp), holding the
// arrays.
struct FitProblems {
  py::array_t<std::int64_t> offsets;
  py::array_t<std::int8_t> statistic;
  py::array_t<double> counts, background, alpha, signal;

  py::ssize_t n_problems() const { return offsets.shape(0) - 1; }
  py::ssize_t n_bins() const { return counts.shape(0); }
  fp::FitProblems view() const {
    fp::FitProblems p;
    p.offsets = offsets.data();
    p.n_problems = n_problems();
    p.statistic = statistic.data();
    p.counts = counts.data();
    p.background = background.data();
    p.alpha = alpha.data();
    p.signal = signal.data();
    return p;
  }
};

FitProblems make_problems(const py::array& offsets, const py::array& statistic,
                          const py::array& counts, const py::array& background,
                          const py::array& alpha, const py::array& signal) {
  FitProblems p;
  p.offsets = checked_array<std::int64_t>(offsets, "offsets", 1);
  if (p.offsets.shape(0) < 1)
    throw fp::InvalidInput("offsets must be 1-D with n_problems + 1 entries, got none");
  p.statistic = checked_array<std::int8_t>(statistic, "statistic", 1);
  p.counts = checked_array<double>(counts, "counts", 1);
  p.background = checked_array<double>(background, "background", 1);
  p.alpha = checked_array<double>(alpha, "alpha", 1);
  p.signal = checked_array<double>(signal, "signal", 1);
  const py::ssize_t n_bins = p.counts.shape(0);
  for (const py::ssize_t size : {p.statistic.shape(0), p.background.shape(0),
                                 p.alpha.shape(0), p.signal.shape(0)}) {
    if (size != n_bins) {
      throw fp::InvalidInput(
          "statistic, counts, background, alpha and signal must be 1-D of equal "
          "length");
    }
  }
  if (p.offsets.data()[p.offsets.shape(0) - 1] != n_bins) {
    throw fp::InvalidInput("offsets[-1] must equal the number of bins");
  }
  return p;
}

// The numpy results of fit_norms (zero-copy: the arrays own the core's vectors).
struct FitResults {
  py::array_t<double> norm, norm_err, stat, stat_null, ts, norm_errn, norm_errp,
      norm_ul, norm_sensitivity, norm_at_stat, stat_scan, npred;
  py::array_t<bool> success;
};

FitResults fit(const FitProblems& problems, const fp::FitOptions& options,
               int n_threads) {
  const fp::FitProblems view = problems.view();
  // the GIL is released inside: safe, the arrays are kept alive by `problems`
  // about 100 evaluations of every bin's statistic for the fit, errors and limits,
  // plus one per scan value
  const double n_bins = static_cast<double>(view.offsets[view.n_problems]);
  const double work =
      n_bins * (100.0 + static_cast<double>(options.scan_values.size()));
  fp::FitResults r = fluxprofile_bindings::run_interruptible(
      [&] { return fp::fit_norms(view, options, n_threads); }, work);
  FitResults out;
  out.norm = py::cast(std::move(r.norm));
  out.norm_err = py::cast(std::move(r.norm_err));
  out.stat = py::cast(std::move(r.stat));
  out.stat_null = py::cast(std::move(r.stat_null));
  out.ts = py::cast(std::move(r.ts));
  out.norm_errn = py::cast(std::move(r.norm_errn));
  out.norm_errp = py::cast(std::move(r.norm_errp));
  out.norm_ul = py::cast(std::move(r.norm_ul));
  out.norm_sensitivity = py::cast(std::move(r.norm_sensitivity));
  out.norm_at_stat = py::cast(std::move(r.norm_at_stat));
  out.stat_scan = py::cast(std::move(r.stat_scan));
  out.npred = py::cast(std::move(r.npred));
  out.success = py::array_t<bool>(r.success.size());
  bool* success = out.success.mutable_data();
  for (fp::Index i = 0; i < r.success.size(); ++i) success[i] = r.success[i] != 0;
  return out;
}

}  // namespace

void bind_fit(py::module_& m) {
  m.def(
      "max_threads", [] { return fp::kMaxThreads; },
      "The most threads (n_threads) a core call accepts (kMaxThreads, "
      "docs/numeric_limits.rst).");
  py::native_enum<fp::Statistic>(
      m, "Statistic", "enum.IntEnum",
      "Fit statistic of a bin: Cash (predicted background) or WStat (on-off), as "
      "Gammapy defines them (docs/statistics.rst).")
      .value("cash", fp::Statistic::cash)
      .value("wstat", fp::Statistic::wstat)
      .finalize();

  py::class_<FitProblems>(
      m, "FitProblems",
      "Independent one-norm fit problems in a compressed layout: problem p owns bins\n"
      "[offsets[p], offsets[p + 1]). Per bin: its statistic (int8 Statistic values), "
      "counts\n"
      "(n_on for WStat), background (Cash) or n_off (WStat), alpha (WStat only) and "
      "the\n"
      "signal of the reference model at norm 1. Arrays are held, not copied: int64\n"
      "offsets, int8 statistic, float64 others, all 1-D and C-contiguous.")
      .def(py::init(&make_problems), py::arg("offsets").noconvert(),
           py::arg("statistic").noconvert(), py::arg("counts").noconvert(),
           py::arg("background").noconvert(), py::arg("alpha").noconvert(),
           py::arg("signal").noconvert())
      .def_readonly("offsets", &FitProblems::offsets)
      .def_readonly("statistic", &FitProblems::statistic)
      .def_readonly("counts", &FitProblems::counts)
      .def_readonly("background", &FitProblems::background)
      .def_readonly("alpha", &FitProblems::alpha)
      .def_readonly("signal", &FitProblems::signal)
      .def_property_readonly("n_problems", &FitProblems::n_problems)
      .def_property_readonly("n_bins", &FitProblems::n_bins)
      .def("__len__", &FitProblems::n_problems);

  py::class_<fp::FitOptions>(
      m, "FitOptions", "What fit_norms computes, and how (FitOptions in fit.hpp).")
      .def(py::init([](double n_sigma, double n_sigma_ul, double n_sigma_sensitivity,
                       double null_value, bool errn_errp, bool ul, bool sensitivity,
                       std::vector<double> scan_values, bool minuit_errors,
                       bool minuit_norm) {
             fp::FitOptions o;
             o.n_sigma = n_sigma;
             o.n_sigma_ul = n_sigma_ul;
             o.n_sigma_sensitivity = n_sigma_sensitivity;
             o.null_value = null_value;
             o.errn_errp = errn_errp;
             o.ul = ul;
             o.sensitivity = sensitivity;
             o.scan_values = std::move(scan_values);
             o.minuit_errors = minuit_errors;
             o.minuit_norm = minuit_norm;
             return o;
           }),
           py::kw_only(), py::arg("n_sigma") = 1.0, py::arg("n_sigma_ul") = 2.0,
           py::arg("n_sigma_sensitivity") = 5.0, py::arg("null_value") = 0.0,
           py::arg("errn_errp") = false, py::arg("ul") = false,
           py::arg("sensitivity") = false,
           py::arg("scan_values") = std::vector<double>{},
           py::arg("minuit_errors") = true, py::arg("minuit_norm") = false)
      .def_readwrite("n_sigma", &fp::FitOptions::n_sigma,
                     "Sigma of norm_err and of errn/errp.")
      .def_readwrite("n_sigma_ul", &fp::FitOptions::n_sigma_ul,
                     "Sigma of the upper limits.")
      .def_readwrite("n_sigma_sensitivity", &fp::FitOptions::n_sigma_sensitivity,
                     "Significance of the sensitivity.")
      .def_readwrite("null_value", &fp::FitOptions::null_value,
                     "Norm of the null hypothesis of ts.")
      .def_readwrite("errn_errp", &fp::FitOptions::errn_errp,
                     "Compute the asymmetric errors.")
      .def_readwrite("ul", &fp::FitOptions::ul, "Compute the upper limits.")
      .def_readwrite("sensitivity", &fp::FitOptions::sensitivity,
                     "Compute the sensitivity.")
      .def_readwrite("scan_values", &fp::FitOptions::scan_values,
                     "Norms of the likelihood scan (a copy when read).")
      .def_readwrite("minuit_errors", &fp::FitOptions::minuit_errors,
                     "norm_err from MINUIT's MIGRAD covariance as Gammapy reports it, "
                     "else the exact curvature.")
      .def_readwrite("minuit_norm", &fp::FitOptions::minuit_norm,
                     "The norm where MIGRAD stops as Gammapy runs it (docs/fit.rst), "
                     "else the exact minimum.");

  py::class_<FitResults>(m, "FitResults",
                         "Results of fit_norms, one value per problem (stat_scan: "
                         "(n_problems, n_scan); npred:\n"
                         "one per bin, at norm_at_stat). NaN where a quantity was not "
                         "asked for or the fit failed.")
      .def_readonly("norm", &FitResults::norm)
      .def_readonly("norm_err", &FitResults::norm_err)
      .def_readonly("stat", &FitResults::stat)
      .def_readonly("stat_null", &FitResults::stat_null)
      .def_readonly("ts", &FitResults::ts)
      .def_readonly("norm_errn", &FitResults::norm_errn)
      .def_readonly("norm_errp", &FitResults::norm_errp)
      .def_readonly("norm_ul", &FitResults::norm_ul)
      .def_readonly("norm_sensitivity", &FitResults::norm_sensitivity)
      .def_readonly("norm_at_stat", &FitResults::norm_at_stat)
      .def_readonly("success", &FitResults::success)
      .def_readonly("stat_scan", &FitResults::stat_scan)
      .def_readonly("npred", &FitResults::npred)
      .def_property_readonly_static(
          "fields",
          [](const py::object&) {
            return py::make_tuple("norm", "norm_err", "stat", "stat_null", "ts",
                                  "norm_errn", "norm_errp", "norm_ul",
                                  "norm_sensitivity", "norm_at_stat", "success",
                                  "stat_scan", "npred");
          },
          "Names of the result arrays.");

  m.def("fit_norms", &fit, py::arg("problems"),
        py::arg_v("options", fp::FitOptions{}, "FitOptions()"),
        py::arg("n_threads") = 0,
        "Fit the norm of every problem (see fluxprofile/fit.hpp); results do not "
        "depend on n_threads (0: all cores, at most max_threads()). Ctrl-C stops it "
        "(KeyboardInterrupt).");

  m.def(
      "problem_stat",
      [](const FitProblems& problems, py::ssize_t problem, const fp::VectorXd& norms) {
        return fp::problem_stat(problems.view(), problem, norms);
      },
      py::arg("problems"), py::arg("problem"), py::arg("norms"),
      "Total statistic of one problem at the given norms.");

  m.def("cash", py::vectorize(fp::cash), py::arg("counts"), py::arg("mu"),
        "Gammapy's Cash statistic per bin (truncated at 1e-25; docs/statistics.rst).");
  m.def("wstat", py::vectorize(fp::wstat), py::arg("n_on"), py::arg("n_off"),
        py::arg("alpha"), py::arg("mu_sig"),
        "Gammapy's WStat statistic per bin (docs/statistics.rst).");
}

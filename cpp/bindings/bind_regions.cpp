// Bindings of the region rasterisation and reduction.
#include "pybind.hpp"

#include <optional>

#include "arrays.hpp"
#include "fluxprofile/reduce.hpp"
#include "fluxprofile/shapes.hpp"

namespace fp = fluxprofile;
using fluxprofile_bindings::cube_view;

using fluxprofile_bindings::F64Array;
using fluxprofile_bindings::I64Array;
using fluxprofile_bindings::to_numpy;
using fluxprofile_bindings::shape_table;

void bind_regions(py::module_& m) {
  m.def(
      "region_pixels",
      [](const F64Array& shapes, const F64Array& vertices_x, const F64Array& vertices_y,
         const I64Array& vertex_offsets, py::ssize_t nx, py::ssize_t ny, int n_threads) {
        const fp::ShapeTable table = shape_table(shapes, vertices_x, vertices_y, vertex_offsets);
        fp::RegionPixels px;
        {
          py::gil_scoped_release release;  // safe: no Python objects are touched below
          px = fp::region_pixels(table, nx, ny, n_threads);
        }
        return py::make_tuple(to_numpy(std::move(px.flat_index)), to_numpy(std::move(px.offsets)),
                              to_numpy(std::move(px.n_total)));
      },
      py::arg("shapes").noconvert(), py::arg("vertices_x").noconvert(),
      py::arg("vertices_y").noconvert(), py::arg("vertex_offsets").noconvert(), py::arg("nx"),
      py::arg("ny"), py::arg("n_threads") = 0,
      "Flat in-map pixel indices of every shape: (flat_index, offsets, n_total).");

  m.def(
      "reduce_regions",
      [](const F64Array& shapes, const F64Array& vertices_x, const F64Array& vertices_y,
         const I64Array& vertex_offsets, py::ssize_t nx, py::ssize_t ny, py::ssize_t n_reco,
         const std::vector<py::array>& reco_cubes, const std::vector<std::string>& cube_names,
         const std::vector<bool>& non_negative, const std::optional<py::array>& mask,
         const std::optional<py::array>& exposure, const std::optional<F64Array>& image,
         const std::string& containment, const std::optional<py::tuple>& pixels, int n_threads,
         const std::optional<std::vector<bool>>& clip_negative, const std::optional<std::vector<bool>>& numpy_sum,
         const std::optional<std::vector<bool>>& must_be_finite) {
        fp::Containment mode;
        if (containment == "center") mode = fp::Containment::center;
        else if (containment == "exact") mode = fp::Containment::exact;
        else throw fp::InvalidInput("containment must be 'center' or 'exact', got '" + containment + "'");
        const fp::ShapeTable table = shape_table(shapes, vertices_x, vertices_y, vertex_offsets);
        if (cube_names.size() != reco_cubes.size() || non_negative.size() != reco_cubes.size()) {
          throw fp::InvalidInput("cube_names and non_negative must have one entry per reco cube");
        }
        if (clip_negative && clip_negative->size() != reco_cubes.size()) {
          throw fp::InvalidInput("clip_negative must have one entry per reco cube");
        }
        if (numpy_sum && numpy_sum->size() != reco_cubes.size()) {
          throw fp::InvalidInput("numpy_sum must have one entry per reco cube");
        }
        if (must_be_finite && must_be_finite->size() != reco_cubes.size()) {
          throw fp::InvalidInput("must_be_finite must have one entry per reco cube");
        }
        std::vector<fp::CubeView> cubes;
        for (std::size_t c = 0; c < reco_cubes.size(); ++c) {
          cubes.push_back(cube_view(reco_cubes[c], cube_names[c].c_str(), ny, nx));
          cubes.back().non_negative = non_negative[c];
          cubes.back().clip_negative = clip_negative && (*clip_negative)[c];
          cubes.back().numpy_sum = numpy_sum && (*numpy_sum)[c];
          cubes.back().must_be_finite = !must_be_finite || (*must_be_finite)[c];
          if (cubes.back().n_planes != n_reco) throw fp::InvalidInput(cube_names[c] + " must have n_reco planes");
        }
        const std::uint8_t* mask_ptr = nullptr;
        if (mask) {
          const fp::CubeView mv = cube_view(*mask, "mask", ny, nx);
          if (mv.dtype != fp::DType::uint8 || mv.n_planes != n_reco) {
            throw fp::InvalidInput("mask must be a bool/uint8 cube with n_reco planes");
          }
          mask_ptr = static_cast<const std::uint8_t*>(mv.data);
        }
        const double* image_ptr = nullptr;
        if (image) {
          if (image->ndim() != 2 || image->shape(0) != ny || image->shape(1) != nx) {
            throw fp::InvalidInput("image must have shape (ny, nx)");
          }
          image_ptr = image->data();
        }
        std::optional<fp::CubeView> exposure_view;
        if (exposure) {
          exposure_view = cube_view(*exposure, "exposure", ny, nx);
          exposure_view->non_negative = true;
        }
        // Optional precomputed pixel lists: (flat_index, weights or None, offsets, totals).
        fp::PixelLists lists;
        I64Array index_arr, offsets_arr;
        F64Array weight_arr, total_arr;
        if (pixels) {
          if (pixels->size() != 4) throw fp::InvalidInput("pixels must be (flat_index, weights, offsets, totals)");
          index_arr = (*pixels)[0].cast<I64Array>();
          offsets_arr = (*pixels)[2].cast<I64Array>();
          total_arr = (*pixels)[3].cast<F64Array>();
          const auto n = static_cast<py::ssize_t>(table.size());
          if (offsets_arr.ndim() != 1 || offsets_arr.shape(0) != n + 1 || total_arr.ndim() != 1 ||
              total_arr.shape(0) != n) {
            throw fp::InvalidInput("pixels: offsets must have n + 1 entries and totals n");
          }
          const std::int64_t n_index = offsets_arr.at(n);
          if (index_arr.ndim() != 1 || index_arr.shape(0) != n_index || offsets_arr.at(0) != 0) {
            throw fp::InvalidInput("pixels: flat_index does not match the offsets");
          }
          // (the flat indices themselves are checked region by region in the core)
          const std::int64_t* offsets_ptr = offsets_arr.data();
          for (py::ssize_t i = 0; i < n; ++i) {
            if (offsets_ptr[i + 1] < offsets_ptr[i]) throw fp::InvalidInput("pixels: offsets must be non-decreasing");
          }
          lists.flat_index = index_arr.data();
          lists.offsets = offsets_arr.data();
          lists.total = total_arr.data();
          if (!(*pixels)[1].is_none()) {
            weight_arr = (*pixels)[1].cast<F64Array>();
            if (weight_arr.ndim() != 1 || weight_arr.shape(0) != n_index) throw fp::InvalidInput("pixels: weights do not match flat_index");
            lists.weight = weight_arr.data();
          }
        }
        fp::RegionSums sums;
        {
          py::gil_scoped_release release;  // safe: the arrays are kept alive by the arguments
          sums = fp::reduce_regions(table, nx, ny, n_reco, cubes, mask_ptr,
                                    exposure_view ? &*exposure_view : nullptr, image_ptr, mode, n_threads,
                                    pixels ? &lists : nullptr);
        }
        py::list reco;
        for (auto& s : sums.reco_sums) reco.append(py::cast(std::move(s)));
        return py::dict("reco_sums"_a = reco, "exposure_sums"_a = py::cast(std::move(sums.exposure_sums)),
                        "exposure_means"_a = py::cast(std::move(sums.exposure_means)),
                        "n_safe"_a = py::cast(std::move(sums.n_safe)),
                        "npix_total"_a = py::cast(std::move(sums.npix_total)),
                        "npix_inmap"_a = py::cast(std::move(sums.npix_inmap)),
                        "image_sum"_a = py::cast(std::move(sums.image_sum)));
      },
      py::arg("shapes").noconvert(), py::arg("vertices_x").noconvert(),
      py::arg("vertices_y").noconvert(), py::arg("vertex_offsets").noconvert(), py::arg("nx"),
      py::arg("ny"), py::arg("n_reco"), py::arg("reco_cubes"), py::arg("cube_names"),
      py::arg("non_negative"), py::arg("mask") = py::none(),
      py::arg("exposure") = py::none(), py::arg("image") = py::none(), py::arg("containment") = "center", py::arg("pixels") = py::none(), py::arg("n_threads") = 0,
      py::arg("clip_negative") = py::none(), py::arg("numpy_sum") = py::none(),
      py::arg("must_be_finite") = py::none(),
      "Masked per-region sums of reco cubes and exposure (see fluxprofile/reduce.hpp).");

  m.def(
      "fold_signal",
      [](const F64Array& exposure_sums, const F64Array& npix_total, const F64Array& flux, double scale,
         const F64Array& kernels, int n_threads, const std::optional<F64Array>& exposure_means,
         const std::optional<F64Array>& n_safe) {
        if (exposure_sums.ndim() != 2 || npix_total.ndim() != 1 || flux.ndim() != 1 || kernels.ndim() != 3) {
          throw fp::InvalidInput("fold_signal: exposure_sums must be 2-D, npix_total and flux 1-D, kernels 3-D");
        }
        const py::ssize_t n = exposure_sums.shape(0), n_true = flux.shape(0), n_reco = kernels.shape(2);
        if (kernels.shape(1) != n_true) {
          throw fp::InvalidInput("fold_signal: kernels must have shape (n_kernels, n_true, n_reco) with n_true = " +
                                 std::to_string(n_true));
        }
        const Eigen::Map<const fp::RowMatrixXd> sums(exposure_sums.data(), n, exposure_sums.shape(1));
        const Eigen::Map<const fp::VectorXd> totals(npix_total.data(), npix_total.shape(0));
        const std::vector<double> flux_values(flux.data(), flux.data() + n_true);
        if (exposure_means.has_value() != n_safe.has_value()) {
          throw fp::InvalidInput("fold_signal: give both exposure_means and n_safe, or neither");
        }
        if (exposure_means && (exposure_means->ndim() != 2 || exposure_means->shape(0) != n || exposure_means->shape(1) != n_true)) {
          throw fp::InvalidInput("fold_signal: exposure_means must have shape (n_regions, n_true)");
        }
        if (n_safe && (n_safe->ndim() != 2 || n_safe->shape(0) != n || n_safe->shape(1) != n_reco)) {
          throw fp::InvalidInput("fold_signal: n_safe must have shape (n_regions, n_reco)");
        }
        fp::RowMatrixXd signal;
        {
          py::gil_scoped_release release;  // safe: the arrays are kept alive by the arguments
          signal = fp::fold_signal(sums, totals, flux_values, scale, kernels.data(), kernels.shape(0), n_reco, n_threads,
                                   exposure_means ? exposure_means->data() : nullptr, n_safe ? n_safe->data() : nullptr);
        }
        return py::cast(std::move(signal));
      },
      py::arg("exposure_sums").noconvert(), py::arg("npix_total").noconvert(), py::arg("flux").noconvert(),
      py::arg("scale"), py::arg("kernels").noconvert(), py::arg("n_threads") = 0,
      py::arg("exposure_means") = py::none(), py::arg("n_safe") = py::none(),
      "Predicted counts of the reference model per region and reco bin (see fluxprofile/reduce.hpp).");
}

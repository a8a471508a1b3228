// Bindings of the region rasterisation and reduction: Containment, PixelLists,
// region_pixels, Cube, ReduceInputs, ReduceOptions, RegionSums, reduce_regions and
// fold_signal.
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "arrays.hpp"
#include "bound_types.hpp"
#include "fluxprofile/reduce.hpp"
#include "fluxprofile/shapes.hpp"
#include "interruptible.hpp"
#include "pybind.hpp"

namespace fp = fluxprofile;
using fluxprofile_bindings::checked_array;
using fluxprofile_bindings::checked_cube;
using fluxprofile_bindings::cube_dtype;
using fluxprofile_bindings::PixelListsBinding;
using fluxprofile_bindings::readonly_view;
using fluxprofile_bindings::to_numpy;

namespace fluxprofile_bindings {

PixelListsBinding::PixelListsBinding(py::array_t<std::int64_t> flat_index_,
                                     py::object weight_,
                                     py::array_t<std::int64_t> offsets_,
                                     py::array_t<double> total_, py::ssize_t nx_,
                                     py::ssize_t ny_)
    : flat_index(std::move(flat_index_)),
      weight(std::move(weight_)),
      offsets(std::move(offsets_)),
      total(std::move(total_)),
      nx(nx_),
      ny(ny_) {
  if (nx < 0 || ny < 0) {
    throw fp::InvalidInput("pixels: map size must be >= 0, got nx = " +
                           std::to_string(nx) + ", ny = " + std::to_string(ny));
  }
  const py::ssize_t n = total.shape(0);
  if (offsets.shape(0) != n + 1)
    throw fp::InvalidInput("pixels: offsets must have n + 1 entries and totals n");
  const std::int64_t* o = offsets.data();
  if (o[0] != 0 || o[n] != flat_index.shape(0))
    throw fp::InvalidInput("pixels: flat_index does not match the offsets");
  for (py::ssize_t i = 0; i < n; ++i) {
    if (o[i + 1] < o[i])
      throw fp::InvalidInput("pixels: offsets must be non-decreasing");
  }
  if (!weight.is_none()) {
    weight = checked_array<double>(weight, "pixels: weight", 1);
    if (weight.cast<py::array>().shape(0) != flat_index.shape(0)) {
      throw fp::InvalidInput("pixels: weights do not match flat_index");
    }
  }
  // Keep the lists as they are now: the core reads them without the GIL.
  for (const py::handle a : {flat_index.ptr(), offsets.ptr(), total.ptr()}) {
    py::detail::array_proxy(a.ptr())->flags &=
        ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  }
  if (!weight.is_none())
    py::detail::array_proxy(weight.ptr())->flags &=
        ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
}

fp::PixelLists PixelListsBinding::view() const {
  fp::PixelLists lists;
  lists.flat_index = flat_index.data();
  lists.offsets = offsets.data();
  lists.total = total.data();
  if (!weight.is_none()) lists.weight = weight.cast<py::array_t<double>>().data();
  return lists;
}

}  // namespace fluxprofile_bindings

namespace {

// A cube summed per region, and how (CubeView in reduce.hpp).
struct Cube {
  std::string name;
  py::array data;
  bool non_negative = false;
  bool clip_negative = false;
  bool numpy_sum = false;
  bool must_be_finite = true;
};

struct ReduceOptions {
  fp::Containment containment = fp::Containment::center;
};

// Everything reduce_regions reads, checked once: the shapes, the reco cubes (one map
// grid, n_reco planes each), the optional mask, exposure, image and precomputed pixel
// lists. The Python objects are held, so the core can read them without the GIL.
struct ReduceInputs {
  const fp::OwnedShapeTable* table = nullptr;
  py::object shapes;
  std::vector<const Cube*> cubes;
  py::list reco_cubes;
  std::optional<py::array> mask, exposure;
  std::optional<py::array_t<double>> image;
  const PixelListsBinding* lists = nullptr;
  py::object pixels;
  py::ssize_t nx = 0, ny = 0, n_reco = 0;
};

ReduceInputs make_inputs(
    const fp::OwnedShapeTable& shapes, const std::vector<const Cube*>& reco_cubes,
    const std::optional<py::array>& mask, const std::optional<py::array>& exposure,
    const std::optional<py::array>& image,
    std::optional<std::reference_wrapper<const PixelListsBinding>> pixels_arg) {
  const PixelListsBinding* pixels = pixels_arg ? &pixels_arg->get() : nullptr;
  ReduceInputs in;
  in.table = &shapes;
  in.shapes =
      py::cast(&shapes, py::return_value_policy::reference);  // the caller's object
  if (reco_cubes.empty())
    throw fp::InvalidInput("reco_cubes must hold at least one Cube");
  std::set<std::string> names;
  for (const Cube* cube : reco_cubes) {
    if (cube == nullptr)
      throw py::type_error("reco_cubes must hold Cube objects, got None");
    if (!names.insert(cube->name).second) {
      throw fp::InvalidInput("reco cube names must be unique, got '" + cube->name +
                             "' twice");
    }
    if (in.cubes.empty()) {
      in.n_reco = cube->data.shape(0), in.ny = cube->data.shape(1),
      in.nx = cube->data.shape(2);
    } else if (cube->data.shape(0) != in.n_reco || cube->data.shape(1) != in.ny ||
               cube->data.shape(2) != in.nx) {
      throw fp::InvalidInput(cube->name + " must have the shape (" +
                             std::to_string(in.n_reco) + ", " + std::to_string(in.ny) +
                             ", " + std::to_string(in.nx) + ") of the first reco cube");
    }
    in.cubes.push_back(cube);
    in.reco_cubes.append(py::cast(cube, py::return_value_policy::reference));
  }
  const std::string grid = std::to_string(in.ny) + ", " + std::to_string(in.nx);
  if (mask) {
    const py::array a = checked_cube(*mask, "mask");
    if (cube_dtype(a, "mask") != fp::DType::uint8 || a.shape(0) != in.n_reco ||
        a.shape(1) != in.ny || a.shape(2) != in.nx) {
      throw fp::InvalidInput("mask must be a bool/uint8 cube of shape (" +
                             std::to_string(in.n_reco) + ", " + grid + ")");
    }
    in.mask = a;
  }
  if (exposure) {
    const py::array a = checked_cube(*exposure, "exposure");
    if (a.shape(1) != in.ny || a.shape(2) != in.nx) {
      throw fp::InvalidInput("exposure must have shape (n_true, " + grid + ")");
    }
    in.exposure = a;
  }
  if (image) {
    const auto a = checked_array<double>(*image, "image", 2);
    if (a.shape(0) != in.ny || a.shape(1) != in.nx)
      throw fp::InvalidInput("image must have shape (" + grid + ")");
    in.image = a;
  }
  in.pixels = py::none();
  if (pixels != nullptr) {
    if (pixels->n_regions() != shapes.size()) {
      throw fp::InvalidInput(
          "pixels: offsets must have n + 1 entries and totals n (n = " +
          std::to_string(shapes.size()) + " shapes)");
    }
    if (pixels->nx != in.nx || pixels->ny != in.ny) {
      throw fp::InvalidInput("pixels were made for a (" + std::to_string(pixels->ny) +
                             ", " + std::to_string(pixels->nx) +
                             ") map, the cubes are (" + grid + ")");
    }
    in.lists = pixels;
    in.pixels = py::cast(pixels, py::return_value_policy::reference);
  }
  return in;
}

fp::CubeView cube_view(const py::array& a, const char* name) {
  fp::CubeView view;
  view.data = a.data();
  view.dtype = cube_dtype(a, name);
  view.n_planes = static_cast<fp::Index>(a.shape(0));
  view.name = name;
  return view;
}

// The numpy results of a reduction (zero-copy: the arrays own the core's matrices).
struct RegionSums {
  py::dict reco_sums;
  py::array_t<double> exposure_sums, exposure_means, n_safe, npix_total, npix_inmap,
      image_sum;
};

// The core's views of one ReduceInputs (pointers into the arrays it holds).
struct PreparedReduce {
  std::vector<fp::CubeView> cubes;
  const std::uint8_t* mask = nullptr;
  std::optional<fp::CubeView> exposure;
  const double* image = nullptr;
  std::optional<fp::PixelLists> lists;
  const fp::ShapeTable* table = nullptr;
};

PreparedReduce prepare(const ReduceInputs& in, const ReduceOptions& options) {
  PreparedReduce p;
  for (const Cube* cube : in.cubes) {
    fp::CubeView view = cube_view(cube->data, cube->name.c_str());
    view.non_negative = cube->non_negative;
    view.clip_negative = cube->clip_negative;
    view.numpy_sum = cube->numpy_sum;
    view.must_be_finite = cube->must_be_finite;
    p.cubes.push_back(view);
  }
  p.mask = in.mask ? static_cast<const std::uint8_t*>(in.mask->data()) : nullptr;
  if (in.exposure) {
    p.exposure = cube_view(*in.exposure, "exposure");
    p.exposure->non_negative = true;
  }
  p.image = in.image ? in.image->data() : nullptr;
  if (in.lists != nullptr) {
    if (in.lists->containment() != options.containment) {
      throw fp::InvalidInput(
          std::string("pixels were made for containment '") +
          (in.lists->containment() == fp::Containment::exact ? "exact" : "center") +
          "', the options ask for the other rule");
    }
    p.lists = in.lists->view();
  }
  p.table = &in.table->view();
  return p;
}

fp::RegionSums run_prepared(const ReduceInputs& in, const PreparedReduce& p,
                            const ReduceOptions& options, int n_threads) {
  return fp::reduce_regions(*p.table, in.nx, in.ny, in.n_reco, p.cubes, p.mask,
                            p.exposure ? &*p.exposure : nullptr, p.image,
                            options.containment, n_threads,
                            p.lists ? &*p.lists : nullptr);
}

// Element operations of a reduction over precomputed pixel lists (every list entry read
// once per reco plane for the mask and for each cube, and once per exposure plane); -1
// (unknown) when the regions are rasterised during the call.
double reduce_work(const ReduceInputs& in, const PreparedReduce& p) {
  if (!p.lists) return -1.0;
  const auto n_regions = static_cast<std::size_t>(p.table->size());
  const double n_entries = static_cast<double>(p.lists->offsets[n_regions]);
  double planes =
      static_cast<double>(in.n_reco) * static_cast<double>(p.cubes.size() + 1);
  if (p.exposure) planes += static_cast<double>(p.exposure->n_planes);
  return n_entries * planes;
}

RegionSums to_python(const ReduceInputs& in, fp::RegionSums&& sums) {
  RegionSums out;
  for (std::size_t c = 0; c < in.cubes.size(); ++c) {
    out.reco_sums[py::str(in.cubes[c]->name)] = py::cast(std::move(sums.reco_sums[c]));
  }
  out.exposure_sums = py::cast(std::move(sums.exposure_sums));
  out.exposure_means = py::cast(std::move(sums.exposure_means));
  out.n_safe = py::cast(std::move(sums.n_safe));
  out.npix_total = py::cast(std::move(sums.npix_total));
  out.npix_inmap = py::cast(std::move(sums.npix_inmap));
  out.image_sum = py::cast(std::move(sums.image_sum));
  return out;
}

RegionSums reduce(const ReduceInputs& in, const ReduceOptions& options, int n_threads) {
  const PreparedReduce p = prepare(in, options);
  // the GIL is released inside (Ctrl-C stops it): safe, the arrays are kept alive by
  // `in`
  fp::RegionSums sums = fluxprofile_bindings::run_interruptible(
      [&] { return run_prepared(in, p, options, n_threads); }, reduce_work(in, p));
  return to_python(in, std::move(sums));
}

// Several datasets in one call (joint fits): one GIL release for all of them. Each
// reduction keeps its own thread count, so every result is the one reduce_regions gives
// (bitwise, for any n_threads). An error names the dataset's position.
std::vector<RegionSums> reduce_many(const std::vector<const ReduceInputs*>& inputs,
                                    const ReduceOptions& options, int n_threads) {
  std::vector<PreparedReduce> prepared;
  prepared.reserve(inputs.size());
  for (const ReduceInputs* in : inputs) {
    if (in == nullptr)
      throw py::type_error("inputs must hold ReduceInputs objects, got None");
    prepared.push_back(prepare(*in, options));
  }
  double many_work = 0.0;
  for (std::size_t k = 0; k < inputs.size() && many_work >= 0.0; ++k) {
    const double w = reduce_work(*inputs[k], prepared[k]);
    many_work = w < 0.0 ? -1.0 : many_work + w;
  }
  std::vector<fp::RegionSums> sums(inputs.size());
  std::size_t failed = 0;
  std::string message;
  // the GIL is released inside (Ctrl-C stops it): safe, the arrays are kept alive by
  // `inputs`
  failed = fluxprofile_bindings::run_interruptible(
      [&]() -> std::size_t {
        for (std::size_t k = 0; k < inputs.size(); ++k) {
          try {
            sums[k] = run_prepared(*inputs[k], prepared[k], options, n_threads);
          } catch (const fp::InvalidInput& err) {
            message = err.what();
            return k + 1;
          }
        }
        return 0;
      },
      many_work);
  if (failed != 0) {
    throw fp::InvalidInput("inputs[" + std::to_string(failed - 1) + "]: " + message);
  }
  std::vector<RegionSums> out;
  out.reserve(inputs.size());
  for (std::size_t k = 0; k < inputs.size(); ++k)
    out.push_back(to_python(*inputs[k], std::move(sums[k])));
  return out;
}

}  // namespace

void bind_regions(py::module_& m) {
  py::native_enum<fp::Containment>(
      m, "Containment", "enum.Enum",
      "Which pixels belong to a region: those whose centre is inside (Gammapy's rule), "
      "or every pixel weighted by the fraction of its area inside.")
      .value("center", fp::Containment::center)
      .value("exact", fp::Containment::exact)
      .finalize();

  py::class_<PixelListsBinding>(
      m, "PixelLists",
      "The pixels of every region of a shape table on a (ny, nx) map, computed once "
      "for\n"
      "repeated reductions: region r owns [offsets[r], offsets[r + 1]) of flat_index\n"
      "(y * nx + x) and of weight (None for the centre rule: 1 each); total[r] is its "
      "whole\n"
      "pixel count or area, on the map or not. The arrays are read-only.")
      .def(py::init([](const py::array& flat_index,
                       const std::optional<py::array>& weight, const py::array& offsets,
                       const py::array& total, py::ssize_t nx, py::ssize_t ny) {
             return PixelListsBinding(
                 checked_array<std::int64_t>(flat_index, "pixels: flat_index", 1),
                 weight ? py::object(*weight) : py::object(py::none()),
                 checked_array<std::int64_t>(offsets, "pixels: offsets", 1),
                 checked_array<double>(total, "pixels: total", 1), nx, ny);
           }),
           py::arg("flat_index").noconvert(), py::arg("weight").noconvert().none(true),
           py::arg("offsets").noconvert(), py::arg("total").noconvert(), py::arg("nx"),
           py::arg("ny"))
      .def_readonly("flat_index", &PixelListsBinding::flat_index,
                    "int64 flat in-map pixel indices, per region.")
      .def_property_readonly(
          "weight",
          [](const PixelListsBinding& p) -> std::optional<py::array_t<double>> {
            if (p.weight.is_none()) return std::nullopt;
            return p.weight.cast<py::array_t<double>>();
          },
          "float64 fraction of each pixel inside its region, or None (the centre "
          "rule).")
      .def_readonly("offsets", &PixelListsBinding::offsets,
                    "int64 (n_regions + 1) offsets into flat_index.")
      .def_readonly("total", &PixelListsBinding::total,
                    "float64 whole pixel count or area of each region.")
      .def_readonly("nx", &PixelListsBinding::nx)
      .def_readonly("ny", &PixelListsBinding::ny)
      .def_property_readonly("containment", &PixelListsBinding::containment)
      .def("__len__", &PixelListsBinding::n_regions);

  m.def(
      "region_pixels",
      [](const fp::OwnedShapeTable& shapes, py::ssize_t nx, py::ssize_t ny,
         int n_threads) {
        const fp::ShapeTable& table = shapes.view();
        // the GIL is released inside: safe, the table is kept alive by the argument
        fp::RegionPixels px = fluxprofile_bindings::run_interruptible(
            [&] { return fp::region_pixels(table, nx, ny, n_threads); });
        std::vector<double> total(px.n_total.begin(), px.n_total.end());
        return PixelListsBinding(to_numpy(std::move(px.flat_index)), py::none(),
                                 to_numpy(std::move(px.offsets)),
                                 to_numpy(std::move(total)), nx, ny);
      },
      py::arg("shapes"), py::arg("nx"), py::arg("ny"), py::arg("n_threads") = 0,
      "The in-map pixels whose centre is inside each shape (PixelLists, weight None).");

  py::class_<Cube>(
      m, "Cube",
      "A (n_planes, ny, nx) C-contiguous cube summed per region, read in place "
      "(float32,\n"
      "float64, int16, int32, int64, uint8 or bool), and how (CubeView in reduce.hpp).")
      .def(py::init([](std::string name, const py::array& data, bool non_negative,
                       bool clip_negative, bool numpy_sum, bool must_be_finite) {
             return Cube{name,         checked_cube(data, name),
                         non_negative, clip_negative,
                         numpy_sum,    must_be_finite};
           }),
           py::arg("name"), py::arg("data").noconvert(), py::kw_only(),
           py::arg("non_negative") = false, py::arg("clip_negative") = false,
           py::arg("numpy_sum") = false, py::arg("must_be_finite") = true)
      .def_readonly("name", &Cube::name,
                    "Name in error messages and key of RegionSums.reco_sums.")
      .def_readonly("data", &Cube::data, "The cube itself (not a copy).")
      .def_readwrite("non_negative", &Cube::non_negative, "Values read must be >= 0.")
      .def_readwrite("clip_negative", &Cube::clip_negative,
                     "Negative values count as 0.")
      .def_readwrite(
          "numpy_sum", &Cube::numpy_sum,
          "Float cubes are summed in their own type in NumPy's pairwise order.")
      .def_readwrite("must_be_finite", &Cube::must_be_finite,
                     "Values read must be finite.");

  py::class_<ReduceOptions>(m, "ReduceOptions", "How reduce_regions reduces.")
      .def(py::init(
               [](fp::Containment containment) { return ReduceOptions{containment}; }),
           py::arg_v("containment", fp::Containment::center, "Containment.center"))
      .def_readwrite("containment", &ReduceOptions::containment,
                     "The pixel membership rule (used when no pixel lists are given; "
                     "they must match it).");

  py::class_<ReduceInputs>(
      m, "ReduceInputs",
      "The inputs of reduce_regions, checked once: the shapes, the reco cubes (one\n"
      "(n_reco, ny, nx) grid), an optional (n_reco, ny, nx) bool/uint8 mask (True: "
      "safe),\n"
      "an optional (n_true, ny, nx) exposure cube, an optional (ny, nx) float64 image\n"
      "summed unmasked (pixel solid angles), optional precomputed PixelLists.")
      .def(py::init(&make_inputs), py::arg("shapes"), py::arg("reco_cubes"),
           py::kw_only(), py::arg("mask").noconvert() = py::none(),
           py::arg("exposure").noconvert() = py::none(),
           py::arg("image").noconvert() = py::none(), py::arg("pixels") = py::none())
      .def_property_readonly(
          "shapes",
          [](const ReduceInputs& in) -> const fp::OwnedShapeTable& {
            return *in.table;
          },
          py::return_value_policy::reference_internal)
      .def_property_readonly(
          "reco_cubes", [](const ReduceInputs& in) { return in.cubes; },
          py::return_value_policy::reference_internal)
      .def_readonly("mask", &ReduceInputs::mask)
      .def_readonly("exposure", &ReduceInputs::exposure)
      .def_readonly("image", &ReduceInputs::image)
      .def_property_readonly(
          "pixels",
          [](const ReduceInputs& in)
              -> std::optional<std::reference_wrapper<const PixelListsBinding>> {
            if (in.lists == nullptr) return std::nullopt;
            return std::cref(*in.lists);
          },
          py::return_value_policy::reference_internal)
      .def_readonly("nx", &ReduceInputs::nx)
      .def_readonly("ny", &ReduceInputs::ny)
      .def_readonly("n_reco", &ReduceInputs::n_reco);

  py::class_<RegionSums>(
      m, "RegionSums", "Per-region sums of reduce_regions (RegionSums in reduce.hpp).")
      .def_readonly(
          "reco_sums", &RegionSums::reco_sums,
          "(n_regions, n_reco) sums over the safe in-map pixels, by cube name.")
      .def_readonly("exposure_sums", &RegionSums::exposure_sums,
                    "(n_regions, n_reco * n_true) exposure over the pixels safe in "
                    "reco bin i, column i * n_true + j.")
      .def_readonly("exposure_means", &RegionSums::exposure_means,
                    "(n_regions, n_true) np.mean of the exposure over the region, NaN "
                    "where it does not apply.")
      .def_readonly("n_safe", &RegionSums::n_safe,
                    "(n_regions, n_reco) in-map pixels safe in each reco bin.")
      .def_readonly("npix_total", &RegionSums::npix_total,
                    "Pixels of each region on the unbounded grid.")
      .def_readonly("npix_inmap", &RegionSums::npix_inmap, "Of which inside the map.")
      .def_readonly("image_sum", &RegionSums::image_sum,
                    "Sum of the image over each region's in-map pixels.")
      .def_property_readonly_static(
          "fields",
          [](const py::object&) {
            return py::make_tuple("reco_sums", "exposure_sums", "exposure_means",
                                  "n_safe", "npix_total", "npix_inmap", "image_sum");
          },
          "Names of the results.");

  m.def("reduce_regions", &reduce, py::arg("inputs"),
        py::arg_v("options", ReduceOptions{}, "ReduceOptions()"),
        py::arg("n_threads") = 0,
        "Masked per-region sums of reco cubes and exposure (see "
        "fluxprofile/reduce.hpp).");

  m.def(
      "reduce_regions_many", &reduce_many, py::arg("inputs"),
      py::arg_v("options", ReduceOptions{}, "ReduceOptions()"),
      py::arg("n_threads") = 0,
      "reduce_regions of several datasets in one call (one GIL release), each result\n"
      "bitwise the one reduce_regions gives; an error names the input's position.");

  m.def(
      "pixel_solid_angles",
      [](const py::array& xyz_, int n_threads) {
        const auto xyz = checked_array<double>(xyz_, "xyz", 3);
        if (xyz.shape(0) < 2 || xyz.shape(1) < 2 || xyz.shape(2) != 3)
          throw fp::InvalidInput(
              "xyz must have shape (ny + 1, nx + 1, 3), ny, nx >= 1");
        const py::ssize_t ny = xyz.shape(0) - 1, nx = xyz.shape(1) - 1;
        py::array_t<double> out({ny, nx});
        double* o = out.mutable_data();
        {
          py::gil_scoped_release release;  // safe: the argument is held by the caller
          fp::pixel_solid_angles(xyz.data(), nx, ny, o, n_threads);
        }
        return out;
      },
      py::arg("xyz").noconvert(), py::arg("n_threads") = 0,
      "Solid angles (sr) of the (ny, nx) pixels whose (ny + 1, nx + 1, 3) corner unit\n"
      "vectors are given: spherical quadrilaterals with great-circle sides, two\n"
      "Van Oosterom-Strackee triangles each (fluxprofile/reduce.hpp). NaN corners "
      "give\n"
      "NaN.");

  m.def(
      "fold_signal",
      [](const py::array& exposure_sums_, const py::array& npix_total_,
         const py::array& flux_, double scale, const py::array& kernels_, int n_threads,
         const std::optional<py::array>& exposure_means_,
         const std::optional<py::array>& n_safe_) {
        const auto exposure_sums =
            checked_array<double>(exposure_sums_, "fold_signal: exposure_sums", 2);
        const auto npix_total =
            checked_array<double>(npix_total_, "fold_signal: npix_total", 1);
        const auto flux = checked_array<double>(flux_, "fold_signal: flux", 1);
        const auto kernels = checked_array<double>(kernels_, "fold_signal: kernels", 3);
        const py::ssize_t n = exposure_sums.shape(0), n_true = flux.shape(0),
                          n_reco = kernels.shape(2);
        if (kernels.shape(1) != n_true) {
          throw fp::InvalidInput(
              "fold_signal: kernels must have shape (n_kernels, n_true, n_reco) with "
              "n_true = " +
              std::to_string(n_true));
        }
        if (exposure_means_.has_value() != n_safe_.has_value()) {
          throw fp::InvalidInput(
              "fold_signal: give both exposure_means and n_safe, or neither");
        }
        const double* means = nullptr;
        const double* safe = nullptr;
        py::array_t<double> means_arr, safe_arr;
        if (exposure_means_) {
          means_arr =
              checked_array<double>(*exposure_means_, "fold_signal: exposure_means", 2);
          safe_arr = checked_array<double>(*n_safe_, "fold_signal: n_safe", 2);
          if (means_arr.shape(0) != n || means_arr.shape(1) != n_true) {
            throw fp::InvalidInput(
                "fold_signal: exposure_means must have shape (n_regions, n_true)");
          }
          if (safe_arr.shape(0) != n || safe_arr.shape(1) != n_reco) {
            throw fp::InvalidInput(
                "fold_signal: n_safe must have shape (n_regions, n_reco)");
          }
          means = means_arr.data();
          safe = safe_arr.data();
        }
        const Eigen::Map<const fp::RowMatrixXd> sums(exposure_sums.data(), n,
                                                     exposure_sums.shape(1));
        const Eigen::Map<const fp::VectorXd> totals(npix_total.data(),
                                                    npix_total.shape(0));
        const std::vector<double> flux_values(flux.data(), flux.data() + n_true);
        // the GIL is released inside: safe, the arrays are kept alive by the arguments
        fp::RowMatrixXd signal = fluxprofile_bindings::run_interruptible(
            [&] {
              return fp::fold_signal(sums, totals, flux_values, scale, kernels.data(),
                                     kernels.shape(0), n_reco, n_threads, means, safe);
            },
            static_cast<double>(n) * static_cast<double>(n_reco) *
                static_cast<double>(n_true));
        return py::array_t<double>(py::cast(std::move(signal)));
      },
      py::arg("exposure_sums").noconvert(), py::arg("npix_total").noconvert(),
      py::arg("flux").noconvert(), py::arg("scale"), py::arg("kernels").noconvert(),
      py::arg("n_threads") = 0, py::arg("exposure_means").noconvert() = py::none(),
      py::arg("n_safe").noconvert() = py::none(),
      "Predicted counts of the reference model per region and reco bin (see "
      "fluxprofile/reduce.hpp).");
}

// Bindings of the shape table: ShapeKind, ShapeTableBuilder (rows by kind with named
// parameters) and ShapeTable (owned, validated, read-only numpy views of its layout).
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bound_types.hpp"
#include "fluxprofile/shapes.hpp"
#include "pybind.hpp"

namespace fp = fluxprofile;
using fluxprofile_bindings::checked_array;
using fluxprofile_bindings::readonly_view;

namespace {

using F64 = py::array_t<double, py::array::c_style | py::array::forcecast>;
using I64 = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

// Rows and per-row parameters of a vectorised setter: every parameter has one value per
// row, or a single value for all of them.
struct RowArgs {
  I64 rows;
  std::vector<F64> values;
  std::vector<const char*> names;

  RowArgs(const I64& rows_, std::vector<F64> values_, std::vector<const char*> names_)
      : rows(rows_), values(std::move(values_)), names(std::move(names_)) {
    if (rows.ndim() > 1) throw fp::InvalidInput("rows must be 1-D");
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (values[k].ndim() > 1 ||
          (values[k].size() != 1 && values[k].size() != rows.size())) {
        throw fp::InvalidInput(
            std::string(names[k]) + " must have one value per row (" +
            std::to_string(rows.size()) + ") or a single value, got " +
            std::to_string(values[k].size()));
      }
    }
  }
  py::ssize_t size() const { return rows.size(); }
  fp::Index row(py::ssize_t i) const { return rows.data()[i]; }
  double value(std::size_t k, py::ssize_t i) const {
    return values[k].size() == 1 ? values[k].data()[0] : values[k].data()[i];
  }
};

std::vector<double> vector_of(const F64& a, const char* name) {
  if (a.ndim() != 1)
    throw fp::InvalidInput(std::string(name) + " must be a 1-D sequence of numbers");
  return std::vector<double>(a.data(), a.data() + a.size());
}

fp::OwnedShapeTable table_from_arrays(const py::array& rows, const py::array& vx,
                                      const py::array& vy, const py::array& offsets) {
  const auto r = checked_array<double>(rows, "shapes", 2);
  if (r.shape(1) != fp::kShapeColumns) {
    throw fp::InvalidInput(
        "shapes must have shape (n, " + std::to_string(fp::kShapeColumns) + "), got (" +
        std::to_string(r.shape(0)) + ", " + std::to_string(r.shape(1)) + ")");
  }
  const auto x = checked_array<double>(vx, "vertices_x", 1);
  const auto y = checked_array<double>(vy, "vertices_y", 1);
  const auto o = checked_array<std::int64_t>(offsets, "vertex_offsets", 1);
  return fp::OwnedShapeTable(std::vector<double>(r.data(), r.data() + r.size()),
                             std::vector<double>(x.data(), x.data() + x.size()),
                             std::vector<double>(y.data(), y.data() + y.size()),
                             std::vector<std::int64_t>(o.data(), o.data() + o.size()));
}

}  // namespace

void bind_shapes(py::module_& m) {
  py::native_enum<fp::ShapeKind>(
      m, "ShapeKind", "enum.IntEnum",
      "Kind of a pixel shape (cpp/include/fluxprofile/shapes.hpp).")
      .value("rectangle", fp::ShapeKind::rectangle)
      .value("circle", fp::ShapeKind::circle)
      .value("annulus", fp::ShapeKind::annulus)
      .value("polygon", fp::ShapeKind::polygon)
      .value("parallelogram", fp::ShapeKind::parallelogram)
      .value("ellipse", fp::ShapeKind::ellipse)
      .value("pixel_runs", fp::ShapeKind::pixel_runs)
      .finalize();

  py::class_<fp::ShapeTableBuilder>(
      m, "ShapeTableBuilder",
      "Fills the rows of a shape table by kind, with named parameters.\n\n"
      "Each setter takes the row indices and one value per row (or one for all).\n"
      "Coordinates are 0-based pixels, sizes in pixels. Every row must be set\n"
      "before ``ShapeTable(builder)``; setting a row again replaces it.")
      .def(py::init<fp::Index>(), py::arg("n"), "A builder of n rows.")
      .def("__len__", &fp::ShapeTableBuilder::size)
      .def(
          "set_rectangles",
          [](fp::ShapeTableBuilder& b, const I64& rows, const F64& x, const F64& y,
             const F64& width, const F64& height, const F64& cos_angle,
             const F64& sin_angle) {
            const RowArgs a(rows, {x, y, width, height, cos_angle, sin_angle},
                            {"x", "y", "width", "height", "cos_angle", "sin_angle"});
            for (py::ssize_t i = 0; i < a.size(); ++i) {
              b.set_rectangle(a.row(i), a.value(0, i), a.value(1, i), a.value(2, i),
                              a.value(3, i), a.value(4, i), a.value(5, i));
            }
          },
          py::arg("rows"), py::arg("x"), py::arg("y"), py::arg("width"),
          py::arg("height"), py::arg("cos_angle"), py::arg("sin_angle"),
          "Rectangles: full width and height, angle counter-clockwise from +x (cos, "
          "sin).")
      .def(
          "set_circles",
          [](fp::ShapeTableBuilder& b, const I64& rows, const F64& x, const F64& y,
             const F64& radius) {
            const RowArgs a(rows, {x, y, radius}, {"x", "y", "radius"});
            for (py::ssize_t i = 0; i < a.size(); ++i)
              b.set_circle(a.row(i), a.value(0, i), a.value(1, i), a.value(2, i));
          },
          py::arg("rows"), py::arg("x"), py::arg("y"), py::arg("radius"), "Circles.")
      .def(
          "set_annuli",
          [](fp::ShapeTableBuilder& b, const I64& rows, const F64& x, const F64& y,
             const F64& inner_radius, const F64& outer_radius) {
            const RowArgs a(rows, {x, y, inner_radius, outer_radius},
                            {"x", "y", "inner_radius", "outer_radius"});
            for (py::ssize_t i = 0; i < a.size(); ++i) {
              b.set_annulus(a.row(i), a.value(0, i), a.value(1, i), a.value(2, i),
                            a.value(3, i));
            }
          },
          py::arg("rows"), py::arg("x"), py::arg("y"), py::arg("inner_radius"),
          py::arg("outer_radius"),
          "Circular annuli (inner edge included, outer excluded).")
      .def(
          "set_parallelograms",
          [](fp::ShapeTableBuilder& b, const I64& rows, const F64& x, const F64& y,
             const F64& m00, const F64& m01, const F64& m10, const F64& m11) {
            const RowArgs a(rows, {x, y, m00, m01, m10, m11},
                            {"x", "y", "m00", "m01", "m10", "m11"});
            for (py::ssize_t i = 0; i < a.size(); ++i) {
              b.set_parallelogram(a.row(i), a.value(0, i), a.value(1, i), a.value(2, i),
                                  a.value(3, i), a.value(4, i), a.value(5, i));
            }
          },
          py::arg("rows"), py::arg("x"), py::arg("y"), py::arg("m00"), py::arg("m01"),
          py::arg("m10"), py::arg("m11"),
          "Parallelograms: the matrix m takes pixel offsets (dx, dy) to the unit "
          "square\n"
          "(u = m00 dx + m01 dy, v = m10 dx + m11 dy; inside iff |u| < 1/2 and |v| < "
          "1/2).")
      .def(
          "set_ellipses",
          [](fp::ShapeTableBuilder& b, const I64& rows, const F64& x, const F64& y,
             const F64& q00, const F64& q01, const F64& q11, const F64& inner2) {
            const RowArgs a(rows, {x, y, q00, q01, q11, inner2},
                            {"x", "y", "q00", "q01", "q11", "inner2"});
            for (py::ssize_t i = 0; i < a.size(); ++i) {
              b.set_ellipse(a.row(i), a.value(0, i), a.value(1, i), a.value(2, i),
                            a.value(3, i), a.value(4, i), a.value(5, i));
            }
          },
          py::arg("rows"), py::arg("x"), py::arg("y"), py::arg("q00"), py::arg("q01"),
          py::arg("q11"), py::arg("inner2"),
          "Ellipses and elliptical annuli: rho^2 = q00 dx^2 + 2 q01 dx dy + q11 dy^2 "
          "(positive\n"
          "definite), inside iff inner2 <= rho^2 < 1 (inner2 = 0: a full ellipse).")
      .def(
          "set_polygon",
          [](fp::ShapeTableBuilder& b, fp::Index row, const F64& vx, const F64& vy) {
            b.set_polygon(row, vector_of(vx, "vertices_x"),
                          vector_of(vy, "vertices_y"));
          },
          py::arg("row"), py::arg("vertices_x"), py::arg("vertices_y"),
          "A polygon (even-odd rule) of at least 3 vertices, centred on their mean.")
      .def(
          "set_pixel_runs",
          [](fp::ShapeTableBuilder& b, fp::Index row, const F64& vx, const F64& vy) {
            b.set_pixel_runs(row, vector_of(vx, "vertices_x"),
                             vector_of(vy, "vertices_y"));
          },
          py::arg("row"), py::arg("vertices_x"), py::arg("vertices_y"),
          "An explicit pixel set: run k is (vertices_x[2k], vertices_y[2k]) to\n"
          "(vertices_x[2k + 1], vertices_y[2k + 1]), integer first and last column of "
          "one row,\n"
          "sorted by row and column without overlap (no runs: the empty set).");

  py::class_<fp::OwnedShapeTable>(
      m, "ShapeTable",
      "Pixel shapes of n regions, validated, as the core reads them (layout in\n"
      "cpp/include/fluxprofile/shapes.hpp). Made from a ShapeTableBuilder, or from "
      "the\n"
      "layout's arrays; the array properties are read-only views, not copies.")
      .def(py::init(
               [](const fp::ShapeTableBuilder& builder) { return builder.build(); }),
           py::arg("builder"), "The table a builder filled (every row must be set).")
      .def(py::init(&table_from_arrays), py::arg("shapes").noconvert(),
           py::arg("vertices_x").noconvert(), py::arg("vertices_y").noconvert(),
           py::arg("vertex_offsets").noconvert(),
           "A table from the layout's arrays (copied): shapes (n, n_columns) float64 "
           "rows,\n"
           "the float64 vertices of all polygons and pixel runs, and int64 "
           "vertex_offsets (n + 1).")
      .def_property_readonly_static(
          "n_columns", [](const py::object&) { return fp::kShapeColumns; },
          "Number of columns of a row of the layout.")
      .def("__len__", &fp::OwnedShapeTable::size)
      .def_property_readonly(
          "table",
          [](const py::object& self) {
            const auto& t = self.cast<const fp::OwnedShapeTable&>();
            return readonly_view(t.rows().data(), {t.size(), fp::kShapeColumns}, self);
          },
          "(n, n_columns) float64 rows of the layout (read-only).")
      .def_property_readonly(
          "vertices_x",
          [](const py::object& self) {
            const auto& t = self.cast<const fp::OwnedShapeTable&>();
            return readonly_view(t.vertices_x().data(),
                                 {static_cast<py::ssize_t>(t.vertices_x().size())},
                                 self);
          },
          "Vertices (x) of all polygons and pixel runs, concatenated (read-only).")
      .def_property_readonly(
          "vertices_y",
          [](const py::object& self) {
            const auto& t = self.cast<const fp::OwnedShapeTable&>();
            return readonly_view(t.vertices_y().data(),
                                 {static_cast<py::ssize_t>(t.vertices_y().size())},
                                 self);
          },
          "Vertices (y) of all polygons and pixel runs, concatenated (read-only).")
      .def_property_readonly(
          "vertex_offsets",
          [](const py::object& self) {
            const auto& t = self.cast<const fp::OwnedShapeTable&>();
            return readonly_view(t.vertex_offsets().data(), {t.size() + 1}, self);
          },
          "Region i owns vertices vertex_offsets[i] to vertex_offsets[i + 1] "
          "(read-only).")
      .def_property_readonly(
          "kind",
          [](const fp::OwnedShapeTable& t) {
            py::array_t<std::int64_t> kind(t.size());
            for (fp::Index i = 0; i < t.size(); ++i)
              kind.mutable_at(i) = static_cast<std::int64_t>(t.view()[i].kind);
            return kind;
          },
          "Shape kind of every region (ShapeKind values).")
      .def_property_readonly(
          "x",
          [](const fp::OwnedShapeTable& t) {
            py::array_t<double> x(t.size());
            for (fp::Index i = 0; i < t.size(); ++i) x.mutable_at(i) = t.view()[i].x;
            return x;
          },
          "Centre (x) of every region, pixels (polygons and pixel runs: the mean "
          "vertex).")
      .def_property_readonly(
          "y",
          [](const fp::OwnedShapeTable& t) {
            py::array_t<double> y(t.size());
            for (fp::Index i = 0; i < t.size(); ++i) y.mutable_at(i) = t.view()[i].y;
            return y;
          },
          "Centre (y) of every region, pixels (polygons and pixel runs: the mean "
          "vertex).")
      .def_property_readonly(
          "angle_rad",
          [](const fp::OwnedShapeTable& t) {
            py::array_t<double> angle(t.size());
            for (fp::Index i = 0; i < t.size(); ++i) {
              const fp::PixelShape s = t.view()[i];
              const bool one_angle = s.kind == fp::ShapeKind::rectangle ||
                                     s.kind == fp::ShapeKind::circle ||
                                     s.kind == fp::ShapeKind::annulus ||
                                     s.kind == fp::ShapeKind::polygon;
              angle.mutable_at(i) = one_angle
                                        ? std::atan2(s.sin_angle, s.cos_angle)
                                        : std::numeric_limits<double>::quiet_NaN();
            }
            return angle;
          },
          "Pixel angle of every region (counter-clockwise from +x, rad; 0 for circles, "
          "annuli\n"
          "and polygons, NaN for parallelograms, ellipses and pixel runs).")
      .def(py::pickle(
          [](const py::object& self) -> py::tuple {
            return py::make_tuple(py::object(self.attr("table")),
                                  py::object(self.attr("vertices_x")),
                                  py::object(self.attr("vertices_y")),
                                  py::object(self.attr("vertex_offsets")));
          },
          [](const py::tuple& state) {
            if (state.size() != 4)
              throw fp::InvalidInput("ShapeTable: invalid pickled state");
            return table_from_arrays(
                state[0].cast<py::array>(), state[1].cast<py::array>(),
                state[2].cast<py::array>(), state[3].cast<py::array>());
          }));
}

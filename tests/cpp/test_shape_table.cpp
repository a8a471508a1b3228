// The owned shape table and its builder: named parameters land in the layout of
// shapes.hpp, every row must be set, the view survives moves, polygon centres are
// np.mean's.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "fluxprofile/shapes.hpp"

namespace fp = fluxprofile;

template <class F>
static bool throws_invalid(F&& f, const std::string& part) {
  try {
    f();
  } catch (const fp::InvalidInput& e) {
    return std::string(e.what()).find(part) != std::string::npos;
  }
  return false;
}

static void test_rows_follow_the_layout() {
  fp::ShapeTableBuilder b(4);
  b.set_rectangle(0, 5.0, 6.0, 4.0, 2.0, 0.6, 0.8);
  b.set_circle(1, 1.0, 2.0, 3.0);
  b.set_annulus(2, 7.0, 8.0, 1.0, 2.0);
  b.set_polygon(3, {0.0, 4.0, 4.0, 0.0}, {0.0, 0.0, 2.0, 2.0});
  const fp::OwnedShapeTable t = b.build();
  CHECK(t.size() == 4);
  const std::vector<double>& r = t.rows();
  const std::vector<double> expected{0, 5, 6, 4, 2, 0.6, 0.8, 1, 1, 2, 3, 0, 1, 0,
                                     2, 7, 8, 1, 2, 1,   0,   3, 2, 1, 0, 0, 0, 0};
  CHECK(r == expected);
  CHECK(t.vertex_offsets() == (std::vector<std::int64_t>{0, 0, 0, 0, 4}));
  const fp::PixelShape rect = t.view()[0];
  CHECK(rect.kind == fp::ShapeKind::rectangle && rect.p1 == 4.0 &&
        rect.sin_angle == 0.8);
  CHECK(t.view()[3].vertex_count == 4);
  // the table reads the same shapes as the validated view of its arrays
  CHECK(rect.contains(5.0, 6.0) && !rect.contains(8.0, 6.0));
}

static void test_every_row_must_be_set_and_valid() {
  fp::ShapeTableBuilder b(2);
  b.set_circle(0, 1.0, 1.0, 1.0);
  CHECK(throws_invalid([&] { (void)b.build(); }, "shape table row 1 was never set"));
  CHECK(throws_invalid([&] { b.set_circle(2, 1.0, 1.0, 1.0); },
                       "out of the table of 2 rows"));
  CHECK(throws_invalid([&] { b.set_polygon(1, {0.0, 1.0}, {0.0}); }, "equal length"));
  b.set_polygon(1, {0.0, 1.0}, {0.0, 1.0});
  CHECK(throws_invalid([&] { (void)b.build(); }, "polygon needs >= 3 vertices"));
  b.set_pixel_runs(1, {}, {});  // replacing the row: no runs is the empty set
  CHECK(b.build().view()[1].vertex_count == 0);
  CHECK(throws_invalid([] { fp::ShapeTableBuilder(-1); }, "n >= 0"));
  CHECK(
      throws_invalid([] { fp::OwnedShapeTable({1.0, 0, 0, 1, 0, 1}, {}, {}, {0, 0}); },
                     "multiple of 7"));
  CHECK(
      throws_invalid([] { fp::OwnedShapeTable({1.0, 0, 0, 1, 0, 1, 0}, {}, {}, {0}); },
                     "vertex_offsets"));
}

static void test_view_survives_a_move() {
  fp::ShapeTableBuilder b(1);
  b.set_polygon(0, {0.0, 10.0, 10.0, 0.0}, {0.0, 0.0, 10.0, 10.0});
  fp::OwnedShapeTable first = b.build();
  const double* rows = first.rows().data();
  const fp::OwnedShapeTable moved(std::move(first));
  CHECK(moved.rows().data() == rows);
  const fp::PixelShape s = moved.view()[0];
  CHECK(s.vx == moved.vertices_x().data() && s.contains(5.0, 5.0) &&
        !s.contains(15.0, 5.0));
}

static void test_polygon_centre_is_numpy_mean() {
  // 11 vertices: NumPy adds 8 interleaved partial sums, then the rest (not left to
  // right).
  std::vector<double> vx, vy;
  for (int k = 0; k < 11; ++k) {
    vx.push_back(0.1 * k + 1e-3 * std::sin(k));
    vy.push_back(0.3 * std::cos(k));
  }
  double r[8];
  for (int j = 0; j < 8; ++j) r[j] = vx[j];
  double pairwise = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (int k = 8; k < 11; ++k) pairwise += vx[k];
  fp::ShapeTableBuilder b(1);
  b.set_polygon(0, vx, vy);
  CHECK(b.build().rows()[1] == pairwise / 11.0);
}

int main() {
  test_rows_follow_the_layout();
  test_every_row_must_be_set_and_valid();
  test_view_survives_a_move();
  test_polygon_centre_is_numpy_mean();
  if (failures == 0) std::printf("all shape table tests passed\n");
  return failures == 0 ? 0 : 1;
}

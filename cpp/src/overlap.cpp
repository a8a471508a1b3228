#include "fluxprofile/overlap.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "fluxprofile/parallel.hpp"

namespace fluxprofile {

namespace {

constexpr double kPi = 3.14159265358979323846;

// ---------------------------------------------------------------------------------------
// Index helpers

// floor/ceil of a double clamped to [lo, hi] before the conversion (a shape may lie far
// off the map, where converting the raw value could overflow an Index).
Index clamped_floor(double v, Index lo, Index hi) {
  const double f = std::floor(v);
  if (!(f >= static_cast<double>(lo))) return lo;
  if (f >= static_cast<double>(hi)) return hi;
  return static_cast<Index>(f);
}

Index clamped_ceil(double v, Index lo, Index hi) {
  const double c = std::ceil(v);
  if (!(c >= static_cast<double>(lo))) return lo;
  if (c >= static_cast<double>(hi)) return hi;
  return static_cast<Index>(c);
}

// Pixels c whose unit interval (c - 0.5, c + 0.5) meets the open interval (lo, hi),
// clamped to [0, n - 1]: first = floor(lo - 0.5) + 1, last = ceil(hi + 0.5) - 1. Empty
// if first > last.
void touched_range(double lo, double hi, Index n, Index& first, Index& last) {
  first = clamped_floor(lo - 0.5, -1, n) + 1;
  last = clamped_ceil(hi + 0.5, 0, n + 1) - 1;
  first = std::max<Index>(first, 0);
  last = std::min<Index>(last, n - 1);
}

// ---------------------------------------------------------------------------------------
// Polygons: even-odd sweep

// A non-horizontal polygon edge, oriented upwards: x = xlo at y = ylo, x = xhi at y =
// yhi.
struct Edge {
  double ylo, yhi, xlo, xhi;
};

double edge_x(const Edge& e, double y) {
  if (y <= e.ylo) return e.xlo;
  if (y >= e.yhi) return e.xhi;
  return e.xlo + (e.xhi - e.xlo) * ((y - e.ylo) / (e.yhi - e.ylo));
}

std::vector<Edge> polygon_edges(const double* vx, const double* vy, Index n) {
  std::vector<Edge> edges;
  edges.reserve(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) {
    const Index j = (i + 1 == n) ? 0 : i + 1;
    if (vy[i] == vy[j])
      continue;  // horizontal edges bound no area in a horizontal sweep
    if (vy[i] < vy[j]) {
      edges.push_back(Edge{vy[i], vy[j], vx[i], vx[j]});
    } else {
      edges.push_back(Edge{vy[j], vy[i], vx[j], vx[i]});
    }
  }
  return edges;
}

// The corners of a rotated rectangle: centre + u e_u + v e_v with e_u = (cos, sin) and
// e_v = (sin, -cos), the axes of PixelShape::contains.
std::vector<Edge> rectangle_edges(const PixelShape& s) {
  const double hu = 0.5 * s.p1, hv = 0.5 * s.p2;
  const double us[4] = {-hu, hu, hu, -hu};
  const double vs[4] = {-hv, -hv, hv, hv};
  double px[4], py[4];
  for (int k = 0; k < 4; ++k) {
    px[k] = s.x + (us[k] * s.cos_angle + vs[k] * s.sin_angle);
    py[k] = s.y + (us[k] * s.sin_angle - vs[k] * s.cos_angle);
  }
  return polygon_edges(px, py, 4);
}

// The corners of a parallelogram row: centre +- a/2 +- b/2 with a, b its axis vectors.
std::vector<Edge> parallelogram_edges(const PixelShape& s) {
  double a0 = 0, a1 = 0, b0 = 0, b1 = 0;
  parallelogram_axes(s, a0, a1, b0, b1);
  const double us[4] = {-0.5, 0.5, 0.5, -0.5};
  const double vs[4] = {-0.5, -0.5, 0.5, 0.5};
  double px[4], py[4];
  for (int k = 0; k < 4; ++k) {
    px[k] = s.x + (us[k] * a0 + vs[k] * b0);
    py[k] = s.y + (us[k] * a1 + vs[k] * b1);
  }
  return polygon_edges(px, py, 4);
}

struct SlabItem {
  const Edge* edge;
  double xa, xb;  // x at the bottom and at the top of the slab
};

// Emits the even-odd trapezoids of the slab [ya, yb], in which every edge of `items`
// spans the whole slab: emit(h, xa_left, xb_left, xa_right, xb_right). Edges that cross
// inside the slab (their x order differs at the bottom and at the top; two segments
// cross at most once) split it at their crossing heights first.
template <class Emit>
void process_slab(std::vector<SlabItem>& items, std::vector<double>& cuts, double ya,
                  double yb, Emit&& emit) {
  const auto by_middle = [](const SlabItem& a, const SlabItem& b) {
    return a.xa + a.xb < b.xa + b.xb;
  };
  const auto emit_pairs = [&](double h) {
    for (std::size_t k = 0; k + 1 < items.size(); k += 2) {
      emit(h, items[k].xa, items[k].xb, items[k + 1].xa, items[k + 1].xb);
    }
  };
  for (auto& it : items) {
    it.xa = edge_x(*it.edge, ya);
    it.xb = edge_x(*it.edge, yb);
  }
  std::sort(items.begin(), items.end(), by_middle);
  bool ordered = true;
  for (std::size_t k = 1; k < items.size() && ordered; ++k) {
    ordered = items[k - 1].xa <= items[k].xa && items[k - 1].xb <= items[k].xb;
  }
  if (ordered) {
    emit_pairs(yb - ya);
    return;
  }
  cuts.clear();
  for (std::size_t i = 0; i < items.size(); ++i) {
    for (std::size_t j = i + 1; j < items.size(); ++j) {
      const double da = items[j].xa - items[i].xa, db = items[j].xb - items[i].xb;
      if ((da < 0.0 && db > 0.0) || (da > 0.0 && db < 0.0)) {
        const double y = ya + (yb - ya) * (da / (da - db));
        if (y > ya && y < yb) cuts.push_back(y);
      }
    }
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  cuts.push_back(yb);
  double lo = ya;
  for (const double hi : cuts) {
    if (hi <= lo) continue;
    for (auto& it : items) {
      it.xa = edge_x(*it.edge, lo);
      it.xb = edge_x(*it.edge, hi);
    }
    std::sort(items.begin(), items.end(), by_middle);
    emit_pairs(hi - lo);
    lo = hi;
  }
}

// Even-odd area of a polygon given by its edges: one sweep over all vertex heights.
double edges_area(const std::vector<Edge>& edges) {
  if (edges.empty()) return 0.0;
  std::vector<const Edge*> order(edges.size());
  std::vector<double> events;
  events.reserve(2 * edges.size());
  for (std::size_t k = 0; k < edges.size(); ++k) {
    order[k] = &edges[k];
    events.push_back(edges[k].ylo);
    events.push_back(edges[k].yhi);
  }
  std::sort(order.begin(), order.end(),
            [](const Edge* a, const Edge* b) { return a->ylo < b->ylo; });
  std::sort(events.begin(), events.end());
  events.erase(std::unique(events.begin(), events.end()), events.end());
  std::vector<const Edge*> active;
  std::vector<SlabItem> items;
  std::vector<double> cuts;
  std::size_t next = 0;
  double area = 0.0;
  for (std::size_t e = 0; e + 1 < events.size(); ++e) {
    const double ya = events[e], yb = events[e + 1];
    active.erase(std::remove_if(active.begin(), active.end(),
                                [&](const Edge* p) { return p->yhi <= ya; }),
                 active.end());
    while (next < order.size() && order[next]->ylo <= ya)
      active.push_back(order[next++]);
    items.clear();
    for (const Edge* p : active) items.push_back(SlabItem{p, 0.0, 0.0});
    process_slab(items, cuts, ya, yb,
                 [&](double h, double la, double lb, double ra, double rb) {
                   area += 0.5 * h * ((ra + rb) - (la + lb));
                 });
  }
  return area;
}

// Area of pixel column c (x in [c - 0.5, c + 0.5]) left of the edge x(y) running
// linearly from p (bottom) to q (top) over a slab of height h.
double left_of_edge(double p, double q, double h, double c) {
  const double v0 = c - 0.5, v1 = c + 0.5;
  const double lo = std::min(p, q), hi = std::max(p, q);
  if (hi <= v0) return 0.0;
  if (lo >= v1) return h;
  const double span = hi - lo;
  if (span == 0.0) return h * (lo - v0);
  // x is uniform on [lo, hi] as y runs over the slab: h / span * integral of
  // (clamp(x, v0, v1) - v0) dx. The width of the part inside the column is formed
  // without subtracting v0 first, so that a nearly vertical edge keeps its relative
  // precision.
  const double a = std::max(lo, v0), b = std::min(hi, v1);
  const double inside = (b - a) * 0.5 * ((b - v0) + (a - v0));
  const double right = hi > v1 ? hi - v1 : 0.0;
  return h * ((inside + right) / span);
}

// A bound on the number of pixels a shape of this area and perimeter touches, for
// reserving the output (a pixel touched but not filled lies within one pixel diagonal
// of the boundary).
std::size_t pixel_estimate(double area, double perimeter, Index n_cols, Index n_rows) {
  const double est = area + 1.5 * perimeter + 4.0;
  const double cells = static_cast<double>(n_cols) * static_cast<double>(n_rows);
  return static_cast<std::size_t>(std::max(0.0, std::min(est, cells)));
}

// Weights of the polygon given by its edges; `area` (its area) only sizes the output.
ShapeWeights edge_weights(const std::vector<Edge>& edges, double area, Index nx,
                          Index ny) {
  ShapeWeights out;
  if (edges.empty() || nx <= 0 || ny <= 0) return out;
  double xmin = edges[0].xlo, xmax = edges[0].xlo, ymin = edges[0].ylo,
         ymax = edges[0].yhi;
  for (const auto& e : edges) {
    xmin = std::min({xmin, e.xlo, e.xhi});
    xmax = std::max({xmax, e.xlo, e.xhi});
    ymin = std::min(ymin, e.ylo);
    ymax = std::max(ymax, e.yhi);
  }
  Index row0, row1, col0, col1;
  touched_range(ymin, ymax, ny, row0, row1);
  touched_range(xmin, xmax, nx, col0, col1);
  if (row0 > row1 || col0 > col1) return out;

  // Edges by pixel row.
  const Index n_rows = row1 - row0 + 1;
  std::vector<std::vector<const Edge*>> rows(static_cast<std::size_t>(n_rows));
  for (const auto& e : edges) {
    Index r0, r1;
    touched_range(e.ylo, e.yhi, ny, r0, r1);
    for (Index r = std::max(r0, row0); r <= std::min(r1, row1); ++r) {
      rows[static_cast<std::size_t>(r - row0)].push_back(&e);
    }
  }

  const Index n_cols = col1 - col0 + 1;
  double perimeter = 0.0;
  for (const auto& e : edges) perimeter += std::hypot(e.xhi - e.xlo, e.yhi - e.ylo);
  const std::size_t est = pixel_estimate(area, perimeter, n_cols, n_rows);
  out.flat_index.reserve(est);
  out.weight.reserve(est);
  std::vector<double> w(static_cast<std::size_t>(n_cols));
  std::vector<double> events, cuts;
  std::vector<SlabItem> items;
  for (Index r = row0; r <= row1; ++r) {
    const auto& row_edges = rows[static_cast<std::size_t>(r - row0)];
    if (row_edges.empty()) continue;
    const double y0 = static_cast<double>(r) - 0.5, y1 = static_cast<double>(r) + 0.5;
    events.assign({y0, y1});
    for (const Edge* e : row_edges) {
      if (e->ylo > y0 && e->ylo < y1) events.push_back(e->ylo);
      if (e->yhi > y0 && e->yhi < y1) events.push_back(e->yhi);
    }
    std::sort(events.begin(), events.end());
    events.erase(std::unique(events.begin(), events.end()), events.end());
    std::fill(w.begin(), w.end(), 0.0);
    bool touched = false;
    for (std::size_t k = 0; k + 1 < events.size(); ++k) {
      const double ya = events[k], yb = events[k + 1];
      items.clear();
      for (const Edge* e : row_edges) {
        if (e->ylo <= ya && e->yhi >= yb) items.push_back(SlabItem{e, 0.0, 0.0});
      }
      process_slab(
          items, cuts, ya, yb,
          [&](double h, double la, double lb, double ra, double rb) {
            // Columns met by the left edge, then full columns, then columns met by the
            // right edge (the two ranges may overlap; then every column gets both
            // terms).
            Index c0, c1, l_last, r_first, unused;
            touched_range(std::min(la, lb), std::max(ra, rb), nx, c0, c1);
            touched_range(std::min(la, lb), std::max(la, lb), nx, unused, l_last);
            touched_range(std::min(ra, rb), std::max(ra, rb), nx, r_first, unused);
            c0 = std::max(c0, col0);
            c1 = std::min(c1, col1);
            for (Index c = c0; c <= c1; ++c) {
              const double xc = static_cast<double>(c);
              double& v = w[static_cast<std::size_t>(c - col0)];
              if (c > l_last && c < r_first) {
                v += h;
              } else {
                v += left_of_edge(ra, rb, h, xc) - left_of_edge(la, lb, h, xc);
              }
            }
            touched = touched || c0 <= c1;
          });
    }
    if (!touched) continue;
    for (Index c = col0; c <= col1; ++c) {
      const double v = w[static_cast<std::size_t>(c - col0)];
      if (v > 0.0) {
        out.flat_index.push_back(r * nx + c);
        out.weight.push_back(std::min(v, 1.0));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Disks

// theta - sin(theta), accurate also for small theta.
double theta_minus_sin(double t) {
  if (t < 0.1) {
    const double t2 = t * t;
    // t^3/3! - t^5/5! + t^7/7! - t^9/9! + t^11/11!; the next term is below 1e-19
    // relative.
    return t * t2 *
           (1.0 / 6.0 -
            t2 * (1.0 / 120.0 -
                  t2 * (1.0 / 5040.0 - t2 * (1.0 / 362880.0 - t2 / 39916800.0))));
  }
  return t - std::sin(t);
}

// Area between a chord of length `chord` and the shorter arc of the circle of radius r.
double segment_area(double r, double chord) {
  const double theta = 2.0 * std::asin(std::min(1.0, chord / (2.0 * r)));
  return 0.5 * r * r * theta_minus_sin(theta);
}

// Height of the circle of radius r (centre 0) above abscissa a >= 0.
double arc_height(double r, double a) {
  return a < r ? std::sqrt((r - a) * (r + a)) : 0.0;
}

// Area of the disk of radius r centred on 0 inside [a0, a1] x [b0, b1], all in the
// first quadrant (0 <= a0 <= a1, 0 <= b0 <= b1). Over x, the box column is full up to
// xa (where the arc drops below b1), then the arc runs between heights sa and sb down
// to xb (where it drops below b0 or the box ends); that part is the trapezoid under the
// chord plus the circular segment between chord and arc.
double quadrant_area(double r, double a0, double a1, double b0, double b1) {
  if (!(a1 > a0) || !(b1 > b0)) return 0.0;
  const double rr = r * r;
  if (a0 * a0 + b0 * b0 >= rr) return 0.0;
  if (a1 * a1 + b1 * b1 <= rr) return (a1 - a0) * (b1 - b0);
  double xa = a0, sa = arc_height(r, a0);
  if (b1 < r) {
    const double x = arc_height(r, b1);
    if (x >= a1) {
      xa = a1;
      sa = b1;
    } else if (x > a0) {
      xa = x;
      sa = b1;
    }
  }
  double xb = a1, sb = arc_height(r, a1);
  const double x = arc_height(r, b0);
  if (x < a1) {
    xb = x;
    sb = b0;
  }
  double area = (xa - a0) * (b1 - b0);
  if (xb > xa) {
    sa = std::min(sa, b1);
    sb = std::max(std::min(sb, sa), b0);
    area += (xb - xa) * 0.5 * ((sa - b0) + (sb - b0)) +
            segment_area(r, std::hypot(xb - xa, sa - sb));
  }
  return std::min(area, (a1 - a0) * (b1 - b0));
}

// Splits [lo, hi] (relative to the centre) at 0 into at most two first-quadrant
// intervals.
int split_at_zero(double lo, double hi, double out[2][2]) {
  int n = 0;
  if (lo < 0.0) {
    out[n][0] = -std::min(hi, 0.0);
    out[n][1] = -lo;
    ++n;
  }
  if (hi > 0.0) {
    out[n][0] = std::max(lo, 0.0);
    out[n][1] = hi;
    ++n;
  }
  return n;
}

// Fraction of the pixel (cx, cy relative to the disk centre) inside the disk of radius
// r, with fast paths for pixels fully inside or outside.
double disk_pixel(double r, double dx, double dy) {
  const double ax = std::abs(dx), ay = std::abs(dy);
  const double nx = std::max(ax - 0.5, 0.0), ny = std::max(ay - 0.5, 0.0);
  const double rr = r * r;
  if (nx * nx + ny * ny >= rr) return 0.0;
  const double fx = ax + 0.5, fy = ay + 0.5;
  if (fx * fx + fy * fy <= rr) return 1.0;
  return disk_rect_area(0.0, 0.0, r, dx - 0.5, dx + 0.5, dy - 0.5, dy + 0.5);
}

ShapeWeights disk_weights(const PixelShape& s, Index nx, Index ny) {
  ShapeWeights out;
  if (nx <= 0 || ny <= 0) return out;
  const bool annulus = s.kind == ShapeKind::annulus;
  const double r_out = annulus ? s.p2 : s.p1;
  const double r_in = annulus ? s.p1 : 0.0;
  Index row0, row1, col0, col1;
  touched_range(s.y - r_out, s.y + r_out, ny, row0, row1);
  touched_range(s.x - r_out, s.x + r_out, nx, col0, col1);
  if (row0 > row1 || col0 > col1) return out;
  const std::size_t est =
      pixel_estimate(kPi * (r_out - r_in) * (r_out + r_in), 2.0 * kPi * (r_out + r_in),
                     col1 - col0 + 1, row1 - row0 + 1);
  out.flat_index.reserve(est);
  out.weight.reserve(est);
  for (Index r = row0; r <= row1; ++r) {
    const double dy = static_cast<double>(r) - s.y;
    for (Index c = col0; c <= col1; ++c) {
      const double dx = static_cast<double>(c) - s.x;
      double v = disk_pixel(r_out, dx, dy);
      if (v > 0.0 && r_in > 0.0) v -= disk_pixel(r_in, dx, dy);
      if (v > 0.0) {
        out.flat_index.push_back(r * nx + c);
        out.weight.push_back(std::min(v, 1.0));
      }
    }
  }
  return out;
}

// Signed area of the disk of radius r centred on 0 inside the triangle (0, p, q): the
// parts of the segment pq inside the disk bound triangles, the parts outside bound
// sectors.
double disk_triangle_area(double r, double px, double py, double qx, double qy) {
  const double dx = qx - px, dy = qy - py;
  const double a = dx * dx + dy * dy;
  const auto sector = [r](double ux, double uy, double vx, double vy) {
    return 0.5 * r * r * std::atan2(ux * vy - uy * vx, ux * vx + uy * vy);
  };
  if (!(a > 0.0)) return 0.0;
  const double b = px * dx + py * dy;  // half of the linear coefficient
  const double c = px * px + py * py - r * r;
  const double disc = b * b - a * c;
  if (disc <= 0.0)
    return sector(px, py, qx, qy);  // the line misses (or touches) the disk
  const double root = std::sqrt(disc);
  // Roots of a t^2 + 2 b t + c (stable form), clamped to the segment.
  const double t_far = -b - std::copysign(root, b);
  double t1 = t_far / a, t2 = c / t_far;
  if (t_far == 0.0) t1 = t2 = 0.0;
  if (t1 > t2) std::swap(t1, t2);
  const double ta = std::min(std::max(t1, 0.0), 1.0),
               tb = std::min(std::max(t2, 0.0), 1.0);
  const double ax = px + ta * dx, ay = py + ta * dy, bx = px + tb * dx,
               by = py + tb * dy;
  return sector(px, py, ax, ay) + 0.5 * (ax * by - ay * bx) + sector(bx, by, qx, qy);
}

// Area of the disk of radius r centred on 0 inside the convex polygon (x, y) (any
// orientation).
double disk_convex_polygon_area(double r, const double* x, const double* y, int n) {
  double area = 0.0;
  for (int k = 0; k < n; ++k) {
    const int j = (k + 1 == n) ? 0 : k + 1;
    area += disk_triangle_area(r, x[k], y[k], x[j], y[j]);
  }
  return std::abs(area);
}

// Ellipse rows: with Q = L^T L (Cholesky, L upper triangular), rho = |L (dx, dy)|, so
// the ellipse is the unit disk in the coordinates L (dx, dy) and a pixel square becomes
// a parallelogram there; its overlap with the disk, divided by det L, is the pixel's
// weight.
ShapeWeights ellipse_weights(const PixelShape& s, Index nx, Index ny) {
  ShapeWeights out;
  if (nx <= 0 || ny <= 0) return out;
  const double q00 = s.p1, q01 = s.p2, q11 = s.cos_angle, inner2 = s.sin_angle;
  const double l00 = std::sqrt(q00), l01 = q01 / l00, l11 = std::sqrt(q11 - l01 * l01);
  const double det = l00 * l11;
  const double r_in = std::sqrt(inner2);
  // Largest |L e| over the pixel's corner offsets e = (+-1/2, +-1/2).
  const double reach =
      0.5 * std::max(std::hypot(l00 + l01, l11), std::hypot(l00 - l01, l11));
  const PixelBox box = bounding_box(s);
  Index row0, row1, col0, col1;
  touched_range(static_cast<double>(box.y0), static_cast<double>(box.y1), ny, row0,
                row1);
  touched_range(static_cast<double>(box.x0), static_cast<double>(box.x1), nx, col0,
                col1);
  if (row0 > row1 || col0 > col1) return out;
  const auto disk_part = [&](double r, double cx, double cy, double dist) {
    if (dist >= r + reach) return 0.0;
    if (dist + reach <= r) return 1.0;
    double px[4], py[4];
    const double ex[4] = {-0.5, 0.5, 0.5, -0.5}, ey[4] = {-0.5, -0.5, 0.5, 0.5};
    for (int k = 0; k < 4; ++k) {
      const double ux = cx + ex[k], uy = cy + ey[k];
      px[k] = l00 * ux + l01 * uy;
      py[k] = l11 * uy;
    }
    return std::min(1.0, disk_convex_polygon_area(r, px, py, 4) / det);
  };
  for (Index r = row0; r <= row1; ++r) {
    const double dy = static_cast<double>(r) - s.y;
    for (Index c = col0; c <= col1; ++c) {
      const double dx = static_cast<double>(c) - s.x;
      const double dist = std::hypot(l00 * dx + l01 * dy, l11 * dy);
      double v = disk_part(1.0, dx, dy, dist);
      if (v > 0.0 && r_in > 0.0) v -= disk_part(r_in, dx, dy, dist);
      if (v > 0.0) {
        out.flat_index.push_back(r * nx + c);
        out.weight.push_back(std::min(v, 1.0));
      }
    }
  }
  return out;
}

}  // namespace

double disk_rect_area(double cx, double cy, double r, double x0, double x1, double y0,
                      double y1) {
  if (!(r > 0.0)) return 0.0;
  double xs[2][2], ys[2][2];
  const int nxs = split_at_zero(x0 - cx, x1 - cx, xs);
  const int nys = split_at_zero(y0 - cy, y1 - cy, ys);
  double area = 0.0;
  for (int i = 0; i < nxs; ++i) {
    for (int j = 0; j < nys; ++j)
      area += quadrant_area(r, xs[i][0], xs[i][1], ys[j][0], ys[j][1]);
  }
  return area;
}

double shape_area(const PixelShape& s) {
  switch (s.kind) {
    case ShapeKind::rectangle:
      return s.p1 * s.p2;
    case ShapeKind::circle:
      return kPi * s.p1 * s.p1;
    case ShapeKind::annulus:
      return kPi * (s.p2 - s.p1) * (s.p2 + s.p1);
    case ShapeKind::polygon:
      return edges_area(polygon_edges(s.vx, s.vy, s.vertex_count));
    case ShapeKind::parallelogram:
      return 1.0 / std::abs(s.p1 * s.sin_angle - s.p2 * s.cos_angle);
    case ShapeKind::ellipse:
      return kPi * (1.0 - s.sin_angle) / std::sqrt(s.p1 * s.cos_angle - s.p2 * s.p2);
    case ShapeKind::pixel_runs: {
      double n = 0.0;
      for (Index k = 0; k + 1 < s.vertex_count; k += 2)
        n += s.vx[k + 1] - s.vx[k] + 1.0;
      return n;
    }
  }
  return 0.0;
}

ShapeWeights pixel_overlap(const PixelShape& shape, Index nx, Index ny) {
  if (nx < 0 || ny < 0) {
    throw InvalidInput("map size must be >= 0, got nx = " + std::to_string(nx) +
                       ", ny = " + std::to_string(ny));
  }
  ShapeWeights out;
  switch (shape.kind) {
    case ShapeKind::rectangle:
      out = edge_weights(rectangle_edges(shape), shape.p1 * shape.p2, nx, ny);
      out.area = shape.p1 * shape.p2;
      break;
    case ShapeKind::circle:
    case ShapeKind::annulus:
      out = disk_weights(shape, nx, ny);
      out.area = shape_area(shape);
      break;
    case ShapeKind::polygon: {
      const std::vector<Edge> edges =
          polygon_edges(shape.vx, shape.vy, shape.vertex_count);
      const double area = edges_area(edges);
      out = edge_weights(edges, area, nx, ny);
      out.area = area;
      break;
    }
    case ShapeKind::parallelogram:
      out = edge_weights(parallelogram_edges(shape), shape_area(shape), nx, ny);
      out.area = shape_area(shape);
      break;
    case ShapeKind::ellipse:
      out = ellipse_weights(shape, nx, ny);
      out.area = shape_area(shape);
      break;
    case ShapeKind::pixel_runs: {
      // An explicit pixel set has no outline finer than its pixels: each counts whole.
      const ShapePixels px = shape_pixels(shape, nx, ny);
      out.flat_index = px.flat_index;
      out.weight.assign(px.flat_index.size(), 1.0);
      out.area = static_cast<double>(px.n_total);
      break;
    }
  }
  return out;
}

RegionWeights pixel_overlap_table(const ShapeTable& shapes, Index nx, Index ny,
                                  int n_threads) {
  if (nx < 0 || ny < 0) {
    throw InvalidInput("map size must be >= 0, got nx = " + std::to_string(nx) +
                       ", ny = " + std::to_string(ny));
  }
  const Index n = shapes.size();
  std::vector<ShapeWeights> per_shape(static_cast<std::size_t>(n));
  parallel_for(n, n_threads, [&](Index i) {
    per_shape[static_cast<std::size_t>(i)] = pixel_overlap(shapes[i], nx, ny);
  });
  RegionWeights out;
  std::size_t total = 0;
  for (const auto& s : per_shape) total += s.flat_index.size();
  out.flat_index.reserve(total);
  out.weight.reserve(total);
  out.offsets.reserve(static_cast<std::size_t>(n) + 1);
  out.area.reserve(static_cast<std::size_t>(n));
  out.offsets.push_back(0);
  for (auto& s : per_shape) {
    out.flat_index.insert(out.flat_index.end(), s.flat_index.begin(),
                          s.flat_index.end());
    out.weight.insert(out.weight.end(), s.weight.begin(), s.weight.end());
    out.offsets.push_back(static_cast<std::int64_t>(out.flat_index.size()));
    out.area.push_back(s.area);
    s = ShapeWeights{};  // free as we go
  }
  return out;
}

}  // namespace fluxprofile

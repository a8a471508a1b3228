"""
fluxprofile compiled core: region rasterisation, reduction and norm fits
"""
from __future__ import annotations
import collections.abc
import enum
import numpy
import numpy.typing
import typing
__all__: list[str] = ['Containment', 'Cube', 'FitOptions', 'FitProblems', 'FitResults', 'InvalidInput', 'PixelLists', 'ReduceInputs', 'ReduceOptions', 'RegionSums', 'ShapeKind', 'ShapeTable', 'ShapeTableBuilder', 'SphereShapes', 'Statistic', 'cash', 'fit_norms', 'fold_signal', 'max_threads', 'pixel_solid_angles', 'problem_stat', 'reduce_regions', 'reduce_regions_many', 'region_overlap', 'region_pixels', 'sphere_region_pixels', 'wstat']
class InvalidInput(ValueError):
    pass
class ShapeKind(enum.IntEnum):
    """
    Kind of a pixel shape (cpp/include/fluxprofile/shapes.hpp).
    """
    rectangle = 0
    circle = 1
    annulus = 2
    polygon = 3
    parallelogram = 4
    ellipse = 5
    pixel_runs = 6
class ShapeTableBuilder:
    """
    Fills the rows of a shape table by kind, with named parameters.
    
    Each setter takes the row indices and one value per row (or one for all).
    Coordinates are 0-based pixels, sizes in pixels. Every row must be set
    before ``ShapeTable(builder)``; setting a row again replaces it.
    """
    def __init__(self, n: typing.SupportsInt | typing.SupportsIndex) -> None:
        """
        A builder of n rows.
        """
    def __len__(self) -> int:
        ...
    def set_annuli(self, rows: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], inner_radius: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], outer_radius: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> None:
        """
        Circular annuli (inner edge included, outer excluded).
        """
    def set_circles(self, rows: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], radius: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> None:
        """
        Circles.
        """
    def set_ellipses(self, rows: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], q00: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], q01: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], q11: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], inner2: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> None:
        """
        Ellipses and elliptical annuli: rho^2 = q00 dx^2 + 2 q01 dx dy + q11 dy^2 (positive
        definite), inside iff inner2 <= rho^2 < 1 (inner2 = 0: a full ellipse).
        """
    def set_parallelograms(self, rows: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], m00: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], m01: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], m10: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], m11: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> None:
        """
        Parallelograms: the matrix m takes pixel offsets (dx, dy) to the unit square
        (u = m00 dx + m01 dy, v = m10 dx + m11 dy; inside iff |u| < 1/2 and |v| < 1/2).
        """
    def set_pixel_runs(self, row: typing.SupportsInt | typing.SupportsIndex, vertices_x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], vertices_y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> None:
        """
        An explicit pixel set: run k is (vertices_x[2k], vertices_y[2k]) to
        (vertices_x[2k + 1], vertices_y[2k + 1]), integer first and last column of one row,
        sorted by row and column without overlap (no runs: the empty set).
        """
    def set_polygon(self, row: typing.SupportsInt | typing.SupportsIndex, vertices_x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], vertices_y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> None:
        """
        A polygon (even-odd rule) of at least 3 vertices, centred on their mean.
        """
    def set_rectangles(self, rows: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], y: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], width: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], height: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], cos_angle: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], sin_angle: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> None:
        """
        Rectangles: full width and height, angle counter-clockwise from +x (cos, sin).
        """
class ShapeTable:
    """
    Pixel shapes of n regions, validated, as the core reads them (layout in
    cpp/include/fluxprofile/shapes.hpp). Made from a ShapeTableBuilder, or from the
    layout's arrays; the array properties are read-only views, not copies.
    """
    n_columns: typing.ClassVar[int] = 7
    def __getstate__(self) -> tuple:
        ...
    @typing.overload
    def __init__(self, builder: ShapeTableBuilder) -> None:
        """
        The table a builder filled (every row must be set).
        """
    @typing.overload
    def __init__(self, shapes: numpy.ndarray, vertices_x: numpy.ndarray, vertices_y: numpy.ndarray, vertex_offsets: numpy.ndarray) -> None:
        """
        A table from the layout's arrays (copied): shapes (n, n_columns) float64 rows,
        the float64 vertices of all polygons and pixel runs, and int64 vertex_offsets (n + 1).
        """
    def __len__(self) -> int:
        ...
    def __setstate__(self, arg0: tuple) -> None:
        ...
    @property
    def angle_rad(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Pixel angle of every region (counter-clockwise from +x, rad; 0 for circles, annuli
        and polygons, NaN for parallelograms, ellipses and pixel runs).
        """
    @property
    def kind(self) -> numpy.typing.NDArray[numpy.int64]:
        """
        Shape kind of every region (ShapeKind values).
        """
    @property
    def table(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        (n, n_columns) float64 rows of the layout (read-only).
        """
    @property
    def vertex_offsets(self) -> numpy.typing.NDArray[numpy.int64]:
        """
        Region i owns vertices vertex_offsets[i] to vertex_offsets[i + 1] (read-only).
        """
    @property
    def vertices_x(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Vertices (x) of all polygons and pixel runs, concatenated (read-only).
        """
    @property
    def vertices_y(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Vertices (y) of all polygons and pixel runs, concatenated (read-only).
        """
    @property
    def x(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Centre (x) of every region, pixels (polygons and pixel runs: the mean vertex).
        """
    @property
    def y(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Centre (y) of every region, pixels (polygons and pixel runs: the mean vertex).
        """
class Containment(enum.Enum):
    """
    Which pixels belong to a region: those whose centre is inside (Gammapy's rule), or every pixel weighted by the fraction of its area inside.
    """
    center = 0
    exact = 1
class PixelLists:
    """
    The pixels of every region of a shape table on a (ny, nx) map, computed once for
    repeated reductions: region r owns [offsets[r], offsets[r + 1]) of flat_index
    (y * nx + x) and of weight (None for the centre rule: 1 each); total[r] is its whole
    pixel count or area, on the map or not. The arrays are read-only.
    """
    def __init__(self, flat_index: numpy.ndarray, weight: numpy.ndarray | None, offsets: numpy.ndarray, total: numpy.ndarray, nx: typing.SupportsInt | typing.SupportsIndex, ny: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __len__(self) -> int:
        ...
    @property
    def containment(self) -> Containment:
        ...
    @property
    def flat_index(self) -> numpy.typing.NDArray[numpy.int64]:
        """
        int64 flat in-map pixel indices, per region.
        """
    @property
    def nx(self) -> int:
        ...
    @property
    def ny(self) -> int:
        ...
    @property
    def offsets(self) -> numpy.typing.NDArray[numpy.int64]:
        """
        int64 (n_regions + 1) offsets into flat_index.
        """
    @property
    def total(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        float64 whole pixel count or area of each region.
        """
    @property
    def weight(self) -> numpy.typing.NDArray[numpy.float64] | None:
        """
        float64 fraction of each pixel inside its region, or None (the centre rule).
        """
class Cube:
    """
    A (n_planes, ny, nx) C-contiguous cube summed per region, read in place (float32,
    float64, int16, int32, int64, uint8 or bool), and how (CubeView in reduce.hpp).
    """
    def __init__(self, name: str, data: numpy.ndarray, *, non_negative: bool = False, clip_negative: bool = False, numpy_sum: bool = False, must_be_finite: bool = True) -> None:
        ...
    @property
    def clip_negative(self) -> bool:
        """
        Negative values count as 0.
        """
    @clip_negative.setter
    def clip_negative(self, arg0: bool) -> None:
        ...
    @property
    def data(self) -> numpy.ndarray:
        """
        The cube itself (not a copy).
        """
    @property
    def must_be_finite(self) -> bool:
        """
        Values read must be finite.
        """
    @must_be_finite.setter
    def must_be_finite(self, arg0: bool) -> None:
        ...
    @property
    def name(self) -> str:
        """
        Name in error messages and key of RegionSums.reco_sums.
        """
    @property
    def non_negative(self) -> bool:
        """
        Values read must be >= 0.
        """
    @non_negative.setter
    def non_negative(self, arg0: bool) -> None:
        ...
    @property
    def numpy_sum(self) -> bool:
        """
        Float cubes are summed in their own type in NumPy's pairwise order.
        """
    @numpy_sum.setter
    def numpy_sum(self, arg0: bool) -> None:
        ...
class ReduceOptions:
    """
    How reduce_regions reduces.
    """
    def __init__(self, containment: Containment = ...) -> None:
        ...
    @property
    def containment(self) -> Containment:
        """
        The pixel membership rule (used when no pixel lists are given; they must match it).
        """
    @containment.setter
    def containment(self, arg0: Containment) -> None:
        ...
class ReduceInputs:
    """
    The inputs of reduce_regions, checked once: the shapes, the reco cubes (one
    (n_reco, ny, nx) grid), an optional (n_reco, ny, nx) bool/uint8 mask (True: safe),
    an optional (n_true, ny, nx) exposure cube, an optional (ny, nx) float64 image
    summed unmasked (pixel solid angles), optional precomputed PixelLists.
    """
    def __init__(self, shapes: ShapeTable, reco_cubes: collections.abc.Sequence[Cube], *, mask: numpy.ndarray | None = None, exposure: numpy.ndarray | None = None, image: numpy.ndarray | None = None, pixels: PixelLists | None = None) -> None:
        ...
    @property
    def exposure(self) -> numpy.ndarray | None:
        ...
    @property
    def image(self) -> numpy.typing.NDArray[numpy.float64] | None:
        ...
    @property
    def mask(self) -> numpy.ndarray | None:
        ...
    @property
    def n_reco(self) -> int:
        ...
    @property
    def nx(self) -> int:
        ...
    @property
    def ny(self) -> int:
        ...
    @property
    def pixels(self) -> PixelLists | None:
        ...
    @property
    def reco_cubes(self) -> list[Cube]:
        ...
    @property
    def shapes(self) -> ShapeTable:
        ...
class RegionSums:
    """
    Per-region sums of reduce_regions (RegionSums in reduce.hpp).
    """
    fields: typing.ClassVar[tuple] = ('reco_sums', 'exposure_sums', 'exposure_means', 'n_safe', 'npix_total', 'npix_inmap', 'image_sum')
    @property
    def exposure_means(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        (n_regions, n_true) np.mean of the exposure over the region, NaN where it does not apply.
        """
    @property
    def exposure_sums(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        (n_regions, n_reco * n_true) exposure over the pixels safe in reco bin i, column i * n_true + j.
        """
    @property
    def image_sum(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Sum of the image over each region's in-map pixels.
        """
    @property
    def n_safe(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        (n_regions, n_reco) in-map pixels safe in each reco bin.
        """
    @property
    def npix_inmap(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Of which inside the map.
        """
    @property
    def npix_total(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Pixels of each region on the unbounded grid.
        """
    @property
    def reco_sums(self) -> dict:
        """
        (n_regions, n_reco) sums over the safe in-map pixels, by cube name.
        """
class Statistic(enum.IntEnum):
    """
    Fit statistic of a bin: Cash (predicted background) or WStat (on-off), as Gammapy defines them (docs/statistics.rst).
    """
    cash = 0
    wstat = 1
class FitProblems:
    """
    Independent one-norm fit problems in a compressed layout: problem p owns bins
    [offsets[p], offsets[p + 1]). Per bin: its statistic (int8 Statistic values), counts
    (n_on for WStat), background (Cash) or n_off (WStat), alpha (WStat only) and the
    signal of the reference model at norm 1. Arrays are held, not copied: int64
    offsets, int8 statistic, float64 others, all 1-D and C-contiguous.
    """
    def __init__(self, offsets: numpy.ndarray, statistic: numpy.ndarray, counts: numpy.ndarray, background: numpy.ndarray, alpha: numpy.ndarray, signal: numpy.ndarray) -> None:
        ...
    def __len__(self) -> int:
        ...
    @property
    def alpha(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def background(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def counts(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def n_bins(self) -> int:
        ...
    @property
    def n_problems(self) -> int:
        ...
    @property
    def offsets(self) -> numpy.typing.NDArray[numpy.int64]:
        ...
    @property
    def signal(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def statistic(self) -> numpy.typing.NDArray[numpy.int8]:
        ...
class FitOptions:
    """
    What fit_norms computes, and how (FitOptions in fit.hpp).
    """
    def __init__(self, *, n_sigma: typing.SupportsFloat | typing.SupportsIndex = 1.0, n_sigma_ul: typing.SupportsFloat | typing.SupportsIndex = 2.0, n_sigma_sensitivity: typing.SupportsFloat | typing.SupportsIndex = 5.0, null_value: typing.SupportsFloat | typing.SupportsIndex = 0.0, errn_errp: bool = False, ul: bool = False, sensitivity: bool = False, scan_values: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex] = [], minuit_errors: bool = True, minuit_norm: bool = False) -> None:
        ...
    @property
    def errn_errp(self) -> bool:
        """
        Compute the asymmetric errors.
        """
    @errn_errp.setter
    def errn_errp(self, arg0: bool) -> None:
        ...
    @property
    def minuit_errors(self) -> bool:
        """
        norm_err from MINUIT's MIGRAD covariance as Gammapy reports it, else the exact curvature.
        """
    @minuit_errors.setter
    def minuit_errors(self, arg0: bool) -> None:
        ...
    @property
    def minuit_norm(self) -> bool:
        """
        The norm where MIGRAD stops as Gammapy runs it (docs/fit.rst), else the exact minimum.
        """
    @minuit_norm.setter
    def minuit_norm(self, arg0: bool) -> None:
        ...
    @property
    def n_sigma(self) -> float:
        """
        Sigma of norm_err and of errn/errp.
        """
    @n_sigma.setter
    def n_sigma(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def n_sigma_sensitivity(self) -> float:
        """
        Significance of the sensitivity.
        """
    @n_sigma_sensitivity.setter
    def n_sigma_sensitivity(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def n_sigma_ul(self) -> float:
        """
        Sigma of the upper limits.
        """
    @n_sigma_ul.setter
    def n_sigma_ul(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def null_value(self) -> float:
        """
        Norm of the null hypothesis of ts.
        """
    @null_value.setter
    def null_value(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def scan_values(self) -> list[float]:
        """
        Norms of the likelihood scan (a copy when read).
        """
    @scan_values.setter
    def scan_values(self, arg0: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
    @property
    def sensitivity(self) -> bool:
        """
        Compute the sensitivity.
        """
    @sensitivity.setter
    def sensitivity(self, arg0: bool) -> None:
        ...
    @property
    def ul(self) -> bool:
        """
        Compute the upper limits.
        """
    @ul.setter
    def ul(self, arg0: bool) -> None:
        ...
class FitResults:
    """
    Results of fit_norms, one value per problem (stat_scan: (n_problems, n_scan); npred:
    one per bin, at norm_at_stat). NaN where a quantity was not asked for or the fit failed.
    """
    fields: typing.ClassVar[tuple] = ('norm', 'norm_err', 'stat', 'stat_null', 'ts', 'norm_errn', 'norm_errp', 'norm_ul', 'norm_sensitivity', 'norm_at_stat', 'success', 'stat_scan', 'npred')
    @property
    def norm(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def norm_at_stat(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def norm_err(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def norm_errn(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def norm_errp(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def norm_sensitivity(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def norm_ul(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def npred(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def stat(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def stat_null(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def stat_scan(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def success(self) -> numpy.typing.NDArray[numpy.bool]:
        ...
    @property
    def ts(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
class SphereShapes:
    """
    Regions on the sphere (cpp/include/fluxprofile/healpix.hpp): per region a kind
    (0 cap, 1 ring, 2 box, 3 polygon), the (3, 3) rotation from the map's frame to
    its local frame, two parameters in radians (cap: radius; ring: inner, outer;
    box: half width, half height) and, for polygons, the gnomonic vertices.
    """
    def __init__(self, kind: numpy.ndarray, rotation: numpy.ndarray, p0: numpy.ndarray, p1: numpy.ndarray, vertex_u: numpy.ndarray, vertex_v: numpy.ndarray, vertex_offsets: numpy.ndarray) -> None:
        ...
    def __len__(self) -> int:
        ...
    def contains(self, region: typing.SupportsInt | typing.SupportsIndex, vectors: numpy.ndarray) -> numpy.typing.NDArray[numpy.uint8]:
        """
        Whether each unit vector (map frame) is inside region `region` (uint8).
        """
def cash(counts: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], mu: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> typing.Any:
    """
    Gammapy's Cash statistic per bin (truncated at 1e-25; docs/statistics.rst).
    """
def fit_norms(problems: FitProblems, options: FitOptions = ..., n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> FitResults:
    """
    Fit the norm of every problem (see fluxprofile/fit.hpp); results do not depend on n_threads (0: all cores, at most max_threads()). Ctrl-C stops it (KeyboardInterrupt).
    """
def fold_signal(exposure_sums: numpy.ndarray, npix_total: numpy.ndarray, flux: numpy.ndarray, scale: typing.SupportsFloat | typing.SupportsIndex, kernels: numpy.ndarray, n_threads: typing.SupportsInt | typing.SupportsIndex = 0, exposure_means: numpy.ndarray | None = None, n_safe: numpy.ndarray | None = None) -> numpy.typing.NDArray[numpy.float64]:
    """
    Predicted counts of the reference model per region and reco bin (see fluxprofile/reduce.hpp).
    """
def max_threads() -> int:
    """
    The most threads (n_threads) a core call accepts (kMaxThreads, docs/numeric_limits.rst).
    """
def pixel_solid_angles(xyz: numpy.ndarray, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.typing.NDArray[numpy.float64]:
    """
    Solid angles (sr) of the (ny, nx) pixels whose (ny + 1, nx + 1, 3) corner unit
    vectors are given: spherical quadrilaterals with great-circle sides, two
    Van Oosterom-Strackee triangles each (fluxprofile/reduce.hpp). NaN corners give
    NaN.
    """
def problem_stat(problems: FitProblems, problem: typing.SupportsInt | typing.SupportsIndex, norms: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
    """
    Total statistic of one problem at the given norms.
    """
def reduce_regions(inputs: ReduceInputs, options: ReduceOptions = ..., n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> RegionSums:
    """
    Masked per-region sums of reco cubes and exposure (see fluxprofile/reduce.hpp).
    """
def reduce_regions_many(inputs: collections.abc.Sequence[ReduceInputs], options: ReduceOptions = ..., n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> list[RegionSums]:
    """
    reduce_regions of several datasets in one call (one GIL release), each result
    bitwise the one reduce_regions gives; an error names the input's position.
    """
def region_overlap(shapes: ShapeTable, nx: typing.SupportsInt | typing.SupportsIndex, ny: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> PixelLists:
    """
    Exact pixel-overlap weights of every shape (PixelLists).
    
    flat_index (y * nx + x, increasing per shape) and weight (fraction of each pixel's area
    inside the shape, in (0, 1]) are concatenated over the shapes; total[i] is the full area
    of shape i in pixels, including the parts off the map (polygons by the even-odd rule).
    """
def region_pixels(shapes: ShapeTable, nx: typing.SupportsInt | typing.SupportsIndex, ny: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> PixelLists:
    """
    The in-map pixels whose centre is inside each shape (PixelLists, weight None).
    """
def sphere_region_pixels(shapes: SphereShapes, vectors: numpy.ndarray, column: numpy.ndarray, candidate_offsets: numpy.ndarray, n_columns: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> PixelLists:
    """
    The stored pixels whose centre is inside each region on the sphere, as PixelLists
    of a (1, n_columns) map; total[r] counts all of the region's pixels on the sphere.
    """
def wstat(n_on: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], n_off: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], alpha: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], mu_sig: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> typing.Any:
    """
    Gammapy's WStat statistic per bin (docs/statistics.rst).
    """

"""File formats: FITS maps, DL4 map datasets, the datasets YAML index, profile tables and
profile files, and the staged writes that never destroy the file they replace."""

from __future__ import annotations

from .atomic import StagedFiles, check_writable, staged_file
from .datasets_yaml import DATASET_TYPES, read_datasets_yaml, write_datasets_yaml
from .dl4 import KEPT_HDUS, ONOFF_HDUS, dataset_hdulist, read_dl4
from .edisp_hdus import edisp_hdus, read_edisp_hdus
from .fits_maps import (
    axes_from_bands_hdu,
    axes_to_bands_hdu,
    axes_to_header,
    image_hdus,
    read_image_hdu,
    read_region_table,
    region_table_hdus,
)
from .fits_read import FitsReadError, gzip_backend, gzip_backends, read_hdulist
from .paths import ascii_name, expand_path, file_stem
from .profile_file import read_profile_table, write_flux_points
from .profile_table import (
    check_profile_format,
    flux_points_arguments_from_table,
    flux_points_to_table,
    format_table,
)

__all__ = [
    "DATASET_TYPES",
    "KEPT_HDUS",
    "ONOFF_HDUS",
    "FitsReadError",
    "StagedFiles",
    "ascii_name",
    "axes_from_bands_hdu",
    "axes_to_bands_hdu",
    "axes_to_header",
    "check_profile_format",
    "check_writable",
    "dataset_hdulist",
    "edisp_hdus",
    "expand_path",
    "file_stem",
    "flux_points_arguments_from_table",
    "flux_points_to_table",
    "format_table",
    "gzip_backend",
    "gzip_backends",
    "image_hdus",
    "read_datasets_yaml",
    "read_dl4",
    "read_edisp_hdus",
    "read_hdulist",
    "read_image_hdu",
    "read_profile_table",
    "read_region_table",
    "region_table_hdus",
    "staged_file",
    "write_datasets_yaml",
    "write_flux_points",
]

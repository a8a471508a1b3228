"""File formats: DL4 map datasets, the datasets YAML index, profile tables and files."""

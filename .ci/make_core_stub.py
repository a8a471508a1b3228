"""Write the type stub of the compiled core, python/fluxprofile/_core.pyi.

Runs ``pybind11-stubgen fluxprofile._core`` on the installed extension and tidies its output
for type checkers: the members of the enums (py::native_enum) become ``name = value`` in
their definition order (mypy reads ``name: ClassVar[...]`` in an enum stub as no member at
all), and the ``__new__`` / ``__format__`` that the stub generator copies from the enum
machinery are dropped.

Usage: python .ci/make_core_stub.py OUTPUT   (the stub file to write)
"""

from __future__ import annotations

import enum
import re
import subprocess
import sys
import tempfile
from pathlib import Path


def tidy(text: str, core: object) -> str:
    """The generated stub with enum members as assignments and no enum boilerplate."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    current: type[enum.Enum] | None = None
    while i < len(lines):
        line = lines[i]
        match = re.match(r"^class (\w+)\(enum\.(?:Int)?Enum\):", line)
        if match:
            current = getattr(core, match.group(1))
        elif line.startswith("class ") or (line and not line.startswith(" ")):
            current = None
        if current is not None:
            member = re.match(r"^    (\w+): typing\.ClassVar\[\w+\]$", line)
            if member:
                if member.group(1) == next(iter(current.__members__)):
                    out.extend(
                        f"    {name} = {value.value!r}"
                        for name, value in current.__members__.items()
                    )
                i += 1
                continue
            if re.match(r"^    (@classmethod|def __new__|def __format__)", line):
                i += 1
                while i < len(lines) and lines[i].startswith("        "):
                    i += 1
                continue
        out.append(line)
        i += 1
    return "\n".join(out) + "\n"


def main(output: str) -> int:
    from fluxprofile import _core

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pybind11_stubgen",
                "fluxprofile._core",
                "-o",
                tmp,
                "--exit-code",
            ],
            check=True,
        )
        text = (Path(tmp) / "fluxprofile" / "_core.pyi").read_text()
    Path(output).write_text(tidy(text, _core))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

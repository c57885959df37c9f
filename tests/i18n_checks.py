"""The catalog checker's command line, kept at its old path: see :mod:`booktools.catalog_lint`."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from booktools.catalog_lint import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

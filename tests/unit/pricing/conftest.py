import sys
from pathlib import Path

# The repository root makes `shared` importable however pytest is started (the package is not installed).
_REPO_ROOT = str(Path(__file__).resolve().parents[3])
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

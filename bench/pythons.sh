# Sourced by the benches that time the Python reference (bench/verify-batch, compare-python,
# serve-vs-flask, store-load, crack-vs-peers), from the repository root, so that each gives
# Python its best configuration the same way. Sets:
#   pythons   an array of the interpreters to measure, each the `bin/python` of a venv holding the
#             pinned packages of tests/interop/requirements.txt (so that venv's tools, such as
#             gunicorn, sit next to it: "$(dirname "$py")/gunicorn"):
#               - the pinned venv, tests/interop/.venv/bin/python, always (made or refreshed by
#                 scripts/setup-interop);
#               - the machine's own /usr/bin/python3 (a distribution build, which may be faster)
#                 with the same pinned packages, in tests/interop/.venv-system, when it exists and
#                 that venv can be made (otherwise a message says Python is measured on one only);
#   py        the first of them (the pinned venv's), for the benches' helper scripts.
# Overrides: WAXSEAL_PYTHON=path measures that interpreter only (no set-up, no second one);
# WAXSEAL_SYSTEM_PYTHON=path makes the second venv with another interpreter than /usr/bin/python3.
py=${WAXSEAL_PYTHON:-tests/interop/.venv/bin/python}
if [ -z "${WAXSEAL_PYTHON:-}" ] || [ ! -x "$py" ]; then
  scripts/setup-interop
  py=tests/interop/.venv/bin/python
fi
pythons=("$py")
system_python=${WAXSEAL_SYSTEM_PYTHON:-/usr/bin/python3}
if [ -z "${WAXSEAL_PYTHON:-}" ] && [ -x "$system_python" ]; then
  if scripts/setup-interop "$system_python" tests/interop/.venv-system; then
    pythons+=(tests/interop/.venv-system/bin/python)
  else
    echo "$(basename "$0"): could not make a venv with $system_python; Python is measured on $py only" >&2
  fi
fi

# "VERSION at PATH" of an interpreter, the label the benches print for it.
python_label() { echo "Python $("$1" -c 'import sys; print(sys.version.split()[0])') at $1"; }

"""``python -m pusip`` — the same as the ``pusip`` command (``pusip up`` starts its children this way)."""

from pusip.cli import app

if __name__ == "__main__":
    app(prog_name="pusip")

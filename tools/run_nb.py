"""Run notebooks top to bottom, `slow` cells included, and save them with their outputs (for results kept in the docs).

Usage: .venv/bin/python tools/run_nb.py nbs/21_zoo.ipynb [more.ipynb ...]

Cells marked `#| eval: false` are skipped, as `nbdev_test` skips them (they need data or hours of GPU time that no
test machine has), and so are `#| cuda` cells on a machine without a GPU; a skipped cell keeps the outputs it had.
"""
import os, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.process import extract_directives

def skip(cell) -> bool:
    "Whether `cell` is not to be run here"
    if cell.cell_type != 'code': return True
    directives = extract_directives(cell, remove=False)
    if directives.get('eval:', [''])[0].lower() == 'false': return True
    if 'cuda' in directives:
        import torch
        return not torch.cuda.is_available()
    return False

for path in map(Path, sys.argv[1:]):
    nb = read_nb(path)
    cwd = os.getcwd(); os.chdir(path.parent)      # notebooks run from their own folder, as nbdev_test runs them
    try: CaptureShell().run_all(nb, exc_stop=True, preproc=skip)
    finally: os.chdir(cwd)
    write_nb(nb, path)
    print(f'ran {path}')

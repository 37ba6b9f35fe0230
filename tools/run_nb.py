"""Run notebooks top to bottom, `slow` cells included, and save them with their outputs (for results kept in the docs).

Usage: .venv/bin/python tools/run_nb.py nbs/22_zoo.ipynb [more.ipynb ...] [--keep ID,ID]

Cells marked `#| eval: false` are skipped, as `nbdev_test` skips them (they need data or hours of GPU time that no
test machine has), and so are `#| cuda` cells on a machine without a GPU; a skipped cell keeps the outputs it had. `--keep` names cells (by id) that are not run
and keep their outputs: slow cells whose inputs a later run no longer has.
"""
import os, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from nbdev.process import extract_directives

args = sys.argv[1:]
keep = set(args[args.index('--keep') + 1].split(',')) if '--keep' in args else set()
paths = [a for i, a in enumerate(args) if a != '--keep' and (i == 0 or args[i - 1] != '--keep')]

def skip(cell) -> bool:
    "Whether `cell` is not to be run here"
    if cell.cell_type != 'code' or cell.get('id') in keep: return True
    directives = extract_directives(cell, remove=False)
    if directives.get('eval:', [''])[0].lower() == 'false': return True
    if 'cuda' in directives:
        import torch
        return not torch.cuda.is_available()
    return False

for path in map(Path, paths):
    nb = read_nb(path)
    cwd = os.getcwd(); os.chdir(path.parent)      # notebooks run from their own folder, as nbdev_test runs them
    try: CaptureShell().run_all(nb, exc_stop=True, preproc=skip)
    finally: os.chdir(cwd)
    write_nb(nb, path)
    print(f'ran {path}')

"""The user's path, taken as a user takes it: every Python example and every command of README.md, verbatim except for
data paths and shorter runs, in the environment that runs this script. CI runs it twice: in the development
environment (fastcore 1.x) and in a fresh one where the built wheel pulled the newest fastai and fastcore it admits.

Usage: python tools/user_path.py [README.md]        (needs only cocord's runtime requirements)
"""
import os, re, subprocess, sys, tempfile, textwrap, time
from pathlib import Path

readme = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent/'README.md')
bin_dir = Path(sys.executable).parent
work = Path(tempfile.mkdtemp(prefix='cocord-user-path-'))
env = {**os.environ, 'PATH': f"{bin_dir}:{os.environ['PATH']}", 'OMP_NUM_THREADS': '1', 'MPLBACKEND': 'Agg'}

# Blocks the check does not run, and why (each must still be found in the README, so that a change is noticed)
SKIPPED = {'pip install .': "installing is what CI did to make this environment",
           'make demo': "the make targets run this check themselves"}

# Per block, the edits that point it at small data and shorten it: (text in the README, what runs instead)
EDITS = {
    "cifar100_recipe('resnet8x4')": [("cifar100_recipe('resnet8x4')", "cifar100_recipe('resnet8x4', epochs=1)")],
    'cocord_train --dataset cifar100': [('--path data/cifar100', '--path cifar100'),
                                        ('--student resnet8x4', '--student resnet8x4 --epochs 1 --n_train 64 --bs 16 --queue_size 32')],
    'torchrun --nproc_per_node 8': [('--nproc_per_node 8', '--nproc_per_node 2'), ('--path /data/imagenet', '--path imagenet'),
                                    ('--workers 8', '--workers 0 --epochs 1 --size 32 --bs 8 --queue_size 16 --out runs/imagenet')],
    'cocord_train --dataset fashion_mnist': [('cd nbs && ', ''), ('--epochs 15', '--epochs 1 --n_train 32 --path fashion --bs 16'),
                                             ('--seeds 5', '--seeds 1'), ('--n_train 5000', '--n_train 32 --path fashion'),
                                             ('--epochs 10', '--epochs 1 --bs 16 --queue_size 16')],
    'cocord_train --dataset folder --path my_images': [('--student resnet32x4', '--student resnet8 --epochs 1 --bs 16'),
                                                       ('--seeds 3', '--seeds 1 --epochs 1 --bs 16 --student resnet8'),
                                                       ('--padding 2', '--padding 2 --epochs 1 --bs 16 --student resnet8')],
    'cocord_sweep --dataset fashion_mnist': [('cd nbs && ', ''), ('--seeds 3', '--seeds 1'), ('--n_train 3000', '--n_train 32 --path fashion'),
                                             ('--epochs 10', '--epochs 1 --bs 16 --queue_size 16'),
                                             ('--teacher_ckpt runs/fashion-mnist-comparison/teacher/checkpoint.pth', '')],
}

def blocks(text:str) -> list[tuple[str, str]]:
    "The fenced blocks of the README: (language, code)"
    return [(m[1], m[2]) for m in re.finditer(r'```(\w+)\n(.*?)```', text, re.S)]

def edited(code:str) -> str:
    "`code` with the edits of its block applied; each edit must apply, so a README change cannot silently skip one"
    for key, edits in EDITS.items():
        if key in code:
            for old, new in edits:
                assert old in code, f"README block changed: {old!r} not found in\n{code}"
                code = code.replace(old, new)
    return code

def make_data():
    "Small datasets in the real formats, and teacher checkpoints in the layouts users have, under `work`"
    import numpy as np, torch
    from PIL import Image
    from cocord.models.registry import get_model
    rng = np.random.default_rng(0)
    def image_folder(root, splits, classes, n, size):
        for split in splits:
            for c in classes:
                (root/split/c).mkdir(parents=True, exist_ok=True)
                for i in range(n): Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8)).save(root/split/c/f'{i}.png')
    image_folder(work/'cifar100', ('train', 'test'), [f'class{i:02d}' for i in range(100)], 1, 32)   # CIFAR-100's PNG layout
    image_folder(work/'imagenet', ('train', 'val'), ['n01440764', 'n01443537'], 8, 40)
    image_folder(work/'my_images', ('',), ['cat', 'dog', 'fox'], 12, 32)           # a user's class folders, no split
    (work/'fashion').mkdir()
    for name, magic, shape in [('train-images-idx3-ubyte', 2051, (64, 28, 28)), ('train-labels-idx1-ubyte', 2049, (64,)),
                               ('t10k-images-idx3-ubyte', 2051, (32, 28, 28)), ('t10k-labels-idx1-ubyte', 2049, (32,))]:
        data = rng.integers(0, 10 if magic == 2049 else 255, shape, dtype=np.uint8)
        head = magic.to_bytes(4, 'big') + b''.join(s.to_bytes(4, 'big') for s in shape)
        (work/'fashion'/name).write_bytes(head + data.tobytes())
    crd = work/'save/models/resnet32x4_vanilla'; crd.mkdir(parents=True)
    torch.save({'model': get_model('resnet32x4').state_dict(), 'epoch': 240}, crd/'ckpt_epoch_240.pth')   # the CRD code base's layout
    torch.save(get_model('resnet34', num_classes=2).state_dict(), work/'resnet34.pth')
    torch.save(get_model('resnet34', num_classes=1000).state_dict(), work/'resnet34-b627a593.pth')

PREAMBLE = """
# What the README's examples assume: the imports of its Use example, and DataLoaders, a student and a teacher (here
# tiny, on the CIFAR-100 folders)
from fastai.vision.all import *
from cocord.all import *
from cocord.data import get_dls
from cocord.models.registry import get_model
dls = get_dls('cifar100', 'cifar100', bs=16)
student, teacher = get_model('resnet8', num_classes=dls.c), get_model('resnet20', num_classes=dls.c).eval()
"""

def run_python(code:str, name:str):
    "Run a README Python block in a fresh process (as a user's script), with the data prepared"
    script = work/f'{name}.py'
    script.write_text(PREAMBLE + code)
    p = subprocess.run([sys.executable, str(script)], cwd=work, env=env, capture_output=True, text=True, timeout=1200)
    if p.returncode: sys.exit(f"FAIL {name}:\n{code}\n{p.stdout[-3000:]}\n{p.stderr[-5000:]}")

def run_shell(code:str, name:str):
    "Run a README shell block with bash, the environment's console scripts on the PATH"
    p = subprocess.run(['bash', '-euo', 'pipefail', '-c', code], cwd=work, env=env, capture_output=True, text=True, timeout=1200)
    if p.returncode: sys.exit(f"FAIL {name}:\n{code}\n{p.stdout[-3000:]}\n{p.stderr[-5000:]}")

if __name__ == '__main__':
    import cocord, fastai, fastcore
    print(f"user path: cocord {cocord.__version__}, fastai {fastai.__version__}, fastcore {fastcore.__version__}, {sys.executable}")
    make_data()
    found = blocks(readme.read_text())
    for key in [*SKIPPED, *EDITS]: assert any(key in code for _, code in found), f"README lost the block with {key!r}"
    ran = 0
    for i, (lang, code) in enumerate(found):
        if any(key in code for key in SKIPPED) or lang not in ('python', 'sh'): continue
        start, name = time.time(), f'block{i}-{lang}'
        (run_python if lang == 'python' else run_shell)(edited(code), name)
        ran += 1
        print(f"ok {name} ({time.time() - start:.0f} s): {code.strip().splitlines()[0][:90]}")
    print(f"user path: {ran} passed, 0 failed")

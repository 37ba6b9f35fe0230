"""The GPU check: on a machine with CUDA, verify in under 8 minutes what the CPU-only CI cannot run.

1. the notebooks' `#| cuda` cells (`nbdev_test --flags cuda`, each notebook that has such cells);
2. CoCoRD under autocast (float16, and bfloat16 where the GPU supports it): the student runs in half precision, the
   queue and every loss term stay float32; then `learn.to_fp16()` / `learn.to_bf16()` through fastai with
   `CoCoRDCallback`: two epochs of a small synthetic task with finite losses; `cocord_train`'s default `--precision auto`;
3. DistributedDataParallel over NCCL: `torchrun` with one process per GPU trains CoCoRD through `learn.distrib_ctx()`;
   every process ends with the same weights and the same queue (one GPU: that it runs);
4. SyncBatchNorm: the same with `learn.distrib_ctx(sync_bn=True)`;
5. `cocord.experiments.bench.benchmark` on the GPU in both memory formats, resnet32x4 -> resnet8x4 (batch 64, 32x32, 100 classes, queue 2048) and
   ResNet-34 -> ResNet-18 (batch 256, 224x224, 1000 classes, queue 65536): steps per second, peak GPU memory, and the
   memory the queue takes on the GPU.

Each check has its own time limit, and the whole run a budget of 7.5 minutes. The results go to one markdown report
(`--out`, default gpu-check.md) and a summary on stdout; the exit status is 0 only if every check that ran passed.

Without CUDA (or with `--dry`) it runs its dry mode: the checks that need CUDA are listed as skipped, with the
reason; the discovery of the `#| cuda` cells, a CPU bfloat16 autocast smoke test of check 2 and the report run.

Usage: python tools/gpu_check.py [--out gpu-check.md] [--dry] [--only cells,autocast,...]      (make gpu-check)
"""
from __future__ import annotations
import argparse, atexit, contextlib, datetime, gc, io, json, math, os, platform, shutil, signal, subprocess, sys, tempfile
import time, traceback
from dataclasses import dataclass
from functools import partial
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BUDGET_S = 450          # the whole run: 7.5 minutes, inside the 8 a maintainer gives it
MIN_START_S = 10        # a check with less than this left of the budget is skipped, not started
PASSED, FAILED, SKIPPED = 'passed', 'failed', 'skipped'

@dataclass
class Check:
    "The outcome of one check: `status` is passed, failed or skipped; `details` is markdown for the report"
    name: str
    status: str
    seconds: float = 0.
    details: str = ''
    limit: float|None = None   # the time limit it ran under, in seconds

class CheckTimeout(Exception): "A check ran past its time limit"

@contextlib.contextmanager
def time_limit(seconds:float):
    "Raise `CheckTimeout` in the main thread once `seconds` have passed (SIGALRM; `wait_all` then kills the subprocesses)"
    def expire(signum, frame): raise CheckTimeout(f"timed out after {seconds:.0f} s (the check's limit)")
    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try: yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)

def scratch(prefix:str) -> Path:
    "A new temporary folder, removed when this process ends"
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path

def subprocess_env() -> dict:
    "The environment of the commands: one math thread per process, this Python's scripts first on the PATH"
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, 'OMP_NUM_THREADS': '1', 'MPLBACKEND': 'Agg', 'PATH': path}

def start_command(cmd:list, log:Path) -> subprocess.Popen:
    "Start `cmd` in the repository root in a session of its own (so that all its processes can be killed), output to `log`"
    with open(log, 'w') as f:
        return subprocess.Popen([str(c) for c in cmd], cwd=ROOT, env=subprocess_env(), stdout=f, stderr=subprocess.STDOUT,
                                start_new_session=True)

def wait_all(procs:list[subprocess.Popen]) -> list[int]:
    "Wait for every process; if interrupted (a time limit), kill those still running with all their children"
    try: return [p.wait() for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError): os.killpg(p.pid, signal.SIGKILL)
                p.wait()

def tail(text:str, lines:int=40) -> str:
    "The last `lines` lines of `text` as a fenced block"
    return '```\n' + '\n'.join(text.rstrip().splitlines()[-lines:]) + '\n```'

def short(dtype) -> str: return str(dtype).replace('torch.', '')

def table(rows:list[dict]) -> str:
    "A markdown table of `rows` (dicts with the same keys)"
    if not rows: return ''
    cols = list(rows[0])
    fmt = lambda v: f'{v:.4g}' if isinstance(v, float) else str(v).replace('|', '\\|')   # a bare | would split the cell
    return '\n'.join(['| ' + ' | '.join(map(fmt, cols)) + ' |', '|' + '---|' * len(cols)] +
                     ['| ' + ' | '.join(fmt(r[c]) for c in cols) + ' |' for r in rows])

# ---------------------------------------------------------------------------------------------------------- check 1
def cuda_cell_notebooks(nbs:Path=ROOT/'nbs') -> dict[str, int]:
    "Notebooks with `#| cuda` code cells, and how many each has (nbdev's own directive parser, as `nbdev_test` reads them)"
    from execnb.nbio import read_nb
    from nbdev.process import extract_directives
    found = {}
    for path in sorted(nbs.glob('*.ipynb')):
        n = sum('cuda' in extract_directives(c, remove=False) for c in read_nb(path).cells if c.cell_type == 'code')
        if n: found[str(path.relative_to(ROOT))] = n
    return found

def check_cuda_cells(device:torch.device, notebooks:dict[str, int]) -> tuple[bool, str]:
    "`nbdev_test --flags cuda` on each notebook with `#| cuda` cells, all at once (one math thread each)"
    logs = scratch('gpu-check-cells-')
    t0, procs = time.perf_counter(), []
    for i, nb in enumerate(notebooks):
        procs.append(start_command([BIN/'nbdev_test', '--flags', 'cuda', '--path', nb], logs/f'{i}.log'))
    try: codes = wait_all(procs)
    except CheckTimeout as e:   # say which notebooks were still running (wait_all killed them) and how far they got
        codes = [f"killed, {e}" if p.returncode == -signal.SIGKILL else p.returncode for p in procs]
    rows, failures = [], []
    for i, (nb, code) in enumerate(zip(notebooks, codes)):
        rows.append({'notebook': nb, '#| cuda cells': notebooks[nb], 'exit status': code})
        if code: failures.append(f"`{nb}` (exit status {code}):\n\n" + tail((logs/f'{i}.log').read_text()))
    details = (f"`OMP_NUM_THREADS=1 nbdev_test --flags cuda --path NB`, the notebooks in parallel "
               f"({time.perf_counter() - t0:.0f} s):\n\n" + table(rows))
    return not failures, details + ''.join('\n\n' + f for f in failures)

# ---------------------------------------------------------------------------------------------------------- check 2
def check_autocast(device:torch.device) -> tuple[bool, str]:
    "One CoCoRD step (CoCoRD+KD, so every term exists) under `torch.autocast` per half type: logits in it, the rest float32"
    from cocord.methods.cocord import CoCoRD
    from cocord.testing import SmallNet
    import torch.nn.functional as F
    halves = ([torch.float16] + ([torch.bfloat16] if torch.cuda.is_bf16_supported() else [])
              if device.type == 'cuda' else [torch.bfloat16])
    torch.manual_seed(0)
    m = CoCoRD(SmallNet(8, 16), SmallNet(12, 24).eval(), queue_size=64, proj_dim=32, proj_hidden=64, pred_hidden=16,
               kd_weight=1.).to(device).train()
    views, y = torch.randn(3, 8, 3, 16, 16, device=device), torch.randint(0, 5, (8,), device=device)
    rows, problems = [], []
    for half in halves:
        with torch.autocast(device.type, dtype=half):
            out = m(*views)
            terms = dict(zip(m.term_names, m.terms(out, F.cross_entropy(out.logits, y))))
            loss = m.loss(out, y)
        loss.backward()
        found = {'logits': out.logits.dtype, **{k: v.dtype for k, v in terms.items()},
                 'contrast_logits': out.contrast_logits.dtype, 'total loss': loss.dtype, 'queue keys': m.queue.keys.dtype}
        rows.append({'autocast': short(half), **{k: short(v) for k, v in found.items()}})
        if found['logits'] != half: problems.append(f"under {half} the student's logits are {found['logits']}: no autocast")
        problems += [f"under {half}, {k} is {v}, not float32" for k, v in found.items() if k != 'logits' and v != torch.float32]
        if not all(torch.isfinite(t).all() for t in [loss, *terms.values()]): problems.append(f"under {half}, a non-finite term")
        grads = [p.grad for p in m.parameters() if p.grad is not None]
        if not all(torch.isfinite(g).all() for g in grads): problems.append(f"under {half}, non-finite gradients")
        m.zero_grad()
    details = f"On `{device}`, `CoCoRD(..., kd_weight=1)`, one step per type, then `backward`:\n\n" + table(rows)
    return not problems, details + ''.join(f'\n- {p}' for p in problems)

def check_fastai_precision(device:torch.device) -> tuple[bool, str]:
    "`learn.to_fp16()` and `learn.to_bf16()` with `CoCoRDCallback`: two finite epochs, logits half, queue and terms float32"
    from copy import deepcopy
    from fastai.callback.core import Callback
    from fastai.learner import Learner
    from fastai.losses import CrossEntropyLossFlat
    import fastai.callback.fp16    # Learner.to_fp16, Learner.to_bf16
    from cocord.methods.cocord import CoCoRDCallback
    from cocord.testing import synthetic_dls, small_cnn, small_teacher

    class Dtypes(Callback):
        "Dtypes at every training step: the student's logits, each term before `CoCoRDCallback` adds them up, the loss"
        order = CoCoRDCallback.order - 1   # this after_loss runs before the callback's, which lets the step's output go
        def before_fit(self): self.seen = {}
        def after_loss(self):
            if not self.training: return
            cb = self.learn.cocord
            terms = zip(cb.term_names, cb.wrapper.terms(cb.out, self.learn.loss_grad))
            for k, v in [('logits', cb.out.logits), *terms]: self.seen.setdefault(k, set()).add(v.dtype)
        def after_backward(self): self.seen.setdefault('total loss', set()).add(self.learn.loss_grad.dtype)

    dls = synthetic_dls().to(device)
    with contextlib.redirect_stdout(io.StringIO()): teacher = small_teacher(dls, epochs=2)   # without its progress table
    precisions = [('to_fp16', torch.float16)] + ([('to_bf16', torch.bfloat16)] if torch.cuda.is_bf16_supported() else [])
    rows, problems = [], []
    for method, half in precisions:
        dtypes = Dtypes()
        learn = Learner(dls, small_cnn(8), loss_func=CrossEntropyLossFlat(),
                        cbs=[CoCoRDCallback(deepcopy(teacher), queue_size=64, kd_weight=1.), dtypes])
        getattr(learn, method)()
        with learn.no_bar(), learn.no_logging(): learn.fit(2, 1e-2)
        seen = {k: ', '.join(sorted(map(short, v))) for k, v in dtypes.seen.items()}
        values, keys = [v for epoch in learn.recorder.values for v in epoch], learn.model.queue.keys
        last = zip(learn.recorder.metric_names[1:-1], learn.recorder.values[-1])   # names without epoch and time
        rows.append({'precision': f'learn.{method}()', **seen, 'queue keys': f"{short(keys.dtype)} on {keys.device}",
                     'last epoch': ', '.join(f'{k} {v:.3g}' for k, v in last)})
        if dtypes.seen.get('logits') != {half}: problems.append(f"{method}: the student's logits are {seen.get('logits')}")
        problems += [f"{method}: {k} is {seen[k]}, not float32" for k, v in dtypes.seen.items()
                     if k != 'logits' and v != {torch.float32}]
        if (keys.dtype, keys.device.type) != (torch.float32, device.type):
            problems.append(f"{method}: the queue is {keys.dtype} on {keys.device}")
        if not values or not all(map(math.isfinite, values)): problems.append(f"{method}: non-finite: {learn.recorder.values}")
    from cocord.train.config import RunConfig
    from cocord.train.trainer import run, resolve_precision   # cocord_train's default: --precision auto
    logged = []
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        summary = run(RunConfig(dataset='digits', epochs=2, out=tmp), log=logged.append, progress=False)
    expected = f"mixed precision: {resolve_precision('auto')} (--precision auto)"
    rows.append({'precision': 'cocord_train --dataset digits --epochs 2', 'last epoch': f"accuracy {summary['last_accuracy']:.3g}, "
                 f"{summary['step_ms']:.0f} ms a step; logged: {next((l for l in logged if 'precision' in l), 'nothing')}"})
    if expected not in logged: problems.append(f"cocord_train --precision auto did not log {expected!r}: {logged}")
    if not math.isfinite(summary['last_accuracy']): problems.append(f"cocord_train: accuracy {summary['last_accuracy']}")
    details = ("Two epochs of `synthetic_dls()` (256 images) with `small_cnn(8)`, CoCoRD+KD (`queue_size=64, kd_weight=1`), "
               "the teacher a `small_teacher`; the dtypes seen at every training step, and the last epoch's recorded values "
               "(losses and terms):\n\n" + table(rows))
    return not problems, details + ''.join(f'\n- {p}' for p in problems)

# ---------------------------------------------------------------------------------------------------------- checks 3, 4
DDP_BS, DDP_STEPS, DDP_QUEUE = 16, 4, 48   # per process: batch and steps; queue keys per process (it wraps once)

def ddp_worker(out:Path, sync_bn:bool):
    """One process of the DDP checks, started by torchrun: CoCoRD on a small synthetic task for `DDP_STEPS` steps of
    `DDP_BS` images, through `learn.distrib_ctx(sync_bn=...)`, in a NCCL process group (gloo on a CPU). With one process,
    as `cocord_train` does, no `distrib_ctx` (Accelerate does not wrap a single process in DDP, and fastai's context
    expects it wrapped): the BatchNorms are converted by `nn.SyncBatchNorm.convert_sync_batchnorm` directly.
    Processes other than rank 0 start from a scrambled queue: rank 0's must reach them. Writes `out/rank{RANK}.pth`
    (the state dict) and `out/rank{RANK}.json` (recorded values, BatchNorm kinds)."""
    import torch.distributed as dist
    import torch.nn.functional as F
    from torch import nn
    from fastai.learner import Learner
    from fastai.losses import CrossEntropyLossFlat
    from fastai.optimizer import SGD
    from fastai.torch_core import set_seed
    import fastai.distributed   # Learner.distrib_ctx
    from cocord.callback import unwrap_model
    from cocord.methods.cocord import CoCoRDCallback
    from cocord.testing import synthetic_dls, small_cnn
    rank, local_rank, world = (int(os.environ[k]) for k in ('RANK', 'LOCAL_RANK', 'WORLD_SIZE'))
    cuda = torch.cuda.is_available()
    device = torch.device('cuda', local_rank) if cuda else torch.device('cpu')
    if cuda: torch.cuda.set_device(device)
    dist.init_process_group('nccl' if cuda else 'gloo', **(dict(device_id=device) if cuda else {}))
    set_seed(0)
    dls = synthetic_dls(n_train=DDP_STEPS * DDP_BS * world, n_valid=2 * DDP_BS, bs=DDP_BS).to(device)
    learn = Learner(dls, small_cnn(8), loss_func=CrossEntropyLossFlat(), opt_func=SGD, lr=0.05,
                    cbs=CoCoRDCallback(small_cnn(16).eval(), queue_size=DDP_QUEUE * world, proj_dim=32, proj_hidden=64,
                                       pred_hidden=16))
    if rank: learn.model.queue.keys.copy_(F.normalize(torch.randn_like(learn.model.queue.keys), dim=1))
    with learn.no_bar(), learn.no_logging():
        if world > 1:
            with learn.distrib_ctx(sync_bn=sync_bn, cpu=not cuda): learn.fit(1)
        else:
            if sync_bn: learn.model = nn.SyncBatchNorm.convert_sync_batchnorm(learn.model)
            learn.fit(1)
    model = unwrap_model(learn.model)
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, out/f'rank{rank}.pth')
    kinds = sorted({type(m).__name__ for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)})
    values = [[float(v) for v in epoch] for epoch in learn.recorder.values]
    names = list(learn.recorder.metric_names[1:-1])   # without epoch and time
    (out/f'rank{rank}.json').write_text(json.dumps(dict(names=names, values=values, batchnorms=kinds)))
    dist.barrier()
    dist.destroy_process_group()

def check_ddp(device:torch.device, sync_bn:bool=False, nproc:int|None=None) -> tuple[bool, str]:
    "torchrun, one process per GPU, runs `ddp_worker`; every rank must end finite, with rank 0's weights, buffers and queue"
    n = nproc or max(torch.cuda.device_count(), 1)
    out = scratch('gpu-check-ddp-')
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', n,
           __file__, '--ddp-worker', out, *(['--sync-bn'] if sync_bn else [])]
    try: code = wait_all([start_command(cmd, out/'torchrun.log')])[0]
    except CheckTimeout as e: code = f"killed, {e}"   # wait_all killed torchrun and its processes; show how far they got
    how = (f"`learn.distrib_ctx(sync_bn={sync_bn})`" if n > 1 else "a 1-process NCCL group without `distrib_ctx` (Accelerate "
           "does not wrap one process in DDP; `cocord_train` does the same)" +
           (", the BatchNorms converted by `nn.SyncBatchNorm.convert_sync_batchnorm`" if sync_bn else ""))
    head = (f"`torchrun --standalone --nproc_per_node {n}`: {n} process(es), {DDP_STEPS} steps of {DDP_BS} images each, "
            f"queue of {DDP_QUEUE * n} keys, {how}.")
    if code:
        log = (out/'torchrun.log').read_text()
        ranks = '\n'.join(l for l in log.splitlines() if l.startswith('[rank'))   # the processes' errors, not torchrun's
        return False, f"{head}\n\ntorchrun's exit status: {code}\n\n" + tail(ranks or log, 60)
    states = [torch.load(out/f'rank{r}.pth', weights_only=True) for r in range(n)]
    infos = [json.loads((out/f'rank{r}.json').read_text()) for r in range(n)]
    problems = []
    for r, info in enumerate(infos):
        values = [v for epoch in info['values'] for v in epoch]
        if not values or not all(map(math.isfinite, values)): problems.append(f"rank {r}: non-finite values {info['values']}")
        if sync_bn != ('SyncBatchNorm' in info['batchnorms']): problems.append(f"rank {r}: BatchNorms {info['batchnorms']}")
    pointer, expected = int(states[0]['queue.pointer']), DDP_STEPS * DDP_BS * n % (DDP_QUEUE * n)
    if pointer != expected: problems.append(f"queue pointer {pointer}, not {expected}: each process enqueues the global batch")
    differ = [(r, k, (s[k].double() - states[0][k].double()).abs().max().item()) for r, s in enumerate(states[1:], 1)
              for k in states[0] if not torch.equal(s[k], states[0][k])]
    problems += [f"rank {r} differs from rank 0 in `{k}` (max difference {d:.3g})" for r, k, d in differ[:10]]
    agree = (f"all {n} ranks hold the same {len(states[0])} tensors (weights, slow student, teacher projector, BatchNorm "
             f"statistics, queue keys and pointer)" if n > 1 and not differ else f"{len(differ)} tensor(s) differ between ranks"
             if differ else "one rank: nothing to compare across ranks")
    details = (f"{head}\n\n- {agree}\n- queue pointer {pointer} (expected {expected})\n- BatchNorm kinds: "
               f"{', '.join(infos[0]['batchnorms'])}\n- rank 0's recorded values: " +
               ', '.join(f'{k} {v:.4g}' for k, v in zip(infos[0]['names'], infos[0]['values'][-1])))
    return not problems, details + ''.join(f'\n- {p}' for p in problems)

# ---------------------------------------------------------------------------------------------------------- check 5
def queue_memory(device:torch.device, size:int, dim:int=2048) -> tuple[int, int]:
    "Bytes that a `TeacherDictionary(size, dim)` takes on `device` (CUDA's allocator; 0 on a CPU), and its keys' bytes"
    from cocord.blocks.queue import TeacherDictionary
    cuda = device.type == 'cuda'
    before = torch.cuda.memory_allocated(device) if cuda else 0
    queue = TeacherDictionary(size, dim).to(device)
    taken = torch.cuda.memory_allocated(device) - before if cuda else 0
    keys = queue.keys.numel() * queue.keys.element_size()
    del queue
    return taken, keys

def check_bench(device:torch.device, teacher:str, student:str, bs:int, size:int, n_classes:int, queue_size:int,
                steps:int=4, warmup:int=2, repeats:int=2) -> tuple[bool, str]:
    "`benchmark` (plain, floor and full CoCoRD steps in both memory formats, interleaved) on the GPU, its peak memory, and the queue's"
    from cocord.experiments.bench import benchmark
    cuda = device.type == 'cuda'
    gc.collect()
    if cuda: torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats(device)
    t = benchmark(teacher, student, bs, size, n_classes, steps, warmup, repeats, device=device, queue_size=queue_size)
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if cuda else float('nan')
    gc.collect()
    taken, keys = queue_memory(device, queue_size)
    rows = [{'memory format': r.memory_format + (' (default)' if r.default else ''), 'plain ms': r.plain_ms, 'floor ms': r.floor_ms,
             'CoCoRD ms': r.cocord_ms, 'c/b': r.c_over_b, 'c/a': r.c_over_a, 'c/b contiguous': r.c_over_b0,
             'CoCoRD steps/s': 1e3 / r.cocord_ms, 'images/s': bs * 1e3 / r.cocord_ms} for r in t.itertuples()]
    problems = []
    times = [v for r in t.itertuples() for v in (r.plain_ms, r.floor_ms, r.cocord_ms)]
    if not all(math.isfinite(v) and v > 0 for v in times): problems.append(f"a bad time: {t.to_dict('records')}")
    if keys != queue_size * 2048 * 4: problems.append(f"the queue's keys take {keys} bytes, not {queue_size}x2048x4")
    if cuda and not keys <= taken < keys + 2**20: problems.append(f"the queue took {taken} bytes of GPU memory for {keys} of keys")
    details = (f"`benchmark('{teacher}', '{student}', bs={bs}, size={size}, n_classes={n_classes}, steps={steps}, "
               f"warmup={warmup}, repeats={repeats}, device='{device}', queue_size={queue_size})`: each step waited for "
               f"(`torch.cuda.synchronize()`); medians of {int(t.steps[0])} timed steps, float32 (the callback's default; "
               f"`cocord_train` adds mixed precision on a GPU). Peak GPU memory: `torch.cuda.max_memory_allocated()` over "
               f"the run ({peak:.2f} GiB, every Learner of both memory formats alive). Queue: GPU memory a "
               f"`TeacherDictionary({queue_size}, 2048)` takes (its keys: {keys / 2**20:g} MiB of float32).\n\n" + table(rows))
    return not problems, details + ''.join(f'\n- {p}' for p in problems)

# ---------------------------------------------------------------------------------------------------------- the run
def plan(notebooks:dict[str, int]) -> list[tuple]:
    "The checks in order: (key for --only, title, function of the device, needs CUDA, time limit in seconds)"
    cells = (partial(check_cuda_cells, notebooks=notebooks) if notebooks else None)
    return [
        ('cells', f"`#| cuda` cells of {', '.join(Path(nb).stem for nb in notebooks) or 'no notebook'}", cells, True, 170),
        ('autocast', "CoCoRD under autocast: logits half, queue and loss terms float32", check_autocast, False, 20),
        ('precision', "fastai `to_fp16()` / `to_bf16()` with `CoCoRDCallback`", check_fastai_precision, True, 40),
        ('ddp', "DDP over NCCL: `torchrun`, `learn.distrib_ctx()`", partial(check_ddp, sync_bn=False), True, 60),
        ('syncbn', "SyncBatchNorm: `learn.distrib_ctx(sync_bn=True)`", partial(check_ddp, sync_bn=True), True, 60),
        ('bench-cifar', "benchmark resnet32x4 -> resnet8x4, batch 64 at 32x32",
         partial(check_bench, teacher='resnet32x4', student='resnet8x4', bs=64, size=32, n_classes=100, queue_size=2048,
                 steps=5, warmup=2, repeats=2), True, 35),
        ('bench-imagenet', "benchmark resnet34 -> resnet18, batch 256 at 224x224",
         partial(check_bench, teacher='resnet34', student='resnet18', bs=256, size=224, n_classes=1000, queue_size=65536,
                 steps=3, warmup=2, repeats=2), True, 60),
    ]

def run_checks(checks:list[tuple], device:torch.device, dry_reason:str|None, only:set|None, start:float) -> list[Check]:
    "Run each selected check under its time limit and the run's budget; skip, with the reason, what cannot run"
    results = []
    for key, title, fn, needs_cuda, limit in checks:
        left = BUDGET_S - (time.perf_counter() - start)
        reason = ("not selected (--only)" if only is not None and key not in only else
                  dry_reason if needs_cuda and dry_reason else
                  "no `#| cuda` code cell found in nbs/" if fn is None else
                  f"out of time: {left:.0f} s left of the {BUDGET_S} s budget" if left < MIN_START_S else None)
        if reason:
            results.append(Check(title, SKIPPED, 0., f"skipped: {reason}"))
        else:
            limit = min(limit, left)
            print(f"... {title} (limit {limit:.0f} s)", flush=True)
            t0 = time.perf_counter()
            try:
                with time_limit(limit): ok, details = fn(device)
                status = PASSED if ok else FAILED
            except CheckTimeout as e: status, details = FAILED, str(e)
            except Exception: status, details = FAILED, tail(traceback.format_exc(), 60)
            results.append(Check(title, status, time.perf_counter() - t0, details, limit))
        c = results[-1]
        reason = f"  ({c.details})" if c.status == SKIPPED else ''
        print(f"{c.status.upper():8} {c.seconds:6.1f} s  {c.name}{reason}", flush=True)
    return results

def environment(device:torch.device, mode:str, notebooks:dict[str, int]) -> list[str]:
    "Lines saying where and on what the check ran"
    import cocord
    def version(name):
        try: return __import__(name).__version__
        except Exception: return 'not installed'
    git = subprocess.run(['git', 'describe', '--always', '--dirty'], cwd=ROOT, capture_output=True, text=True)
    gpus = ([f"{torch.cuda.get_device_name(i)} ({torch.cuda.get_device_properties(i).total_memory / 2**30:.0f} GiB)"
             for i in range(torch.cuda.device_count())] if device.type == 'cuda' else [])
    return [f"- when: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, on {platform.node()}",
            f"- code: cocord {cocord.__version__}, commit {git.stdout.strip() or 'unknown (no git)'}",
            f"- software: Python {platform.python_version()}, torch {torch.__version__} (CUDA {torch.version.cuda}), "
            f"fastai {version('fastai')}, accelerate {version('accelerate')}, nbdev {version('nbdev')}",
            f"- GPUs: {', '.join(gpus) if gpus else 'none used'}",
            f"- mode: {mode}",
            f"- `#| cuda` code cells: {', '.join(f'{nb} ({n})' for nb, n in notebooks.items()) or 'none'}"]

def report(results:list[Check], env:list[str], seconds:float) -> str:
    "The markdown report: where it ran, the verdict, a table of the checks, then each check's details"
    count = {s: sum(c.status == s for c in results) for s in (PASSED, FAILED, SKIPPED)}
    verdict = 'FAILED' if count[FAILED] else 'PASSED'
    lines = ['# GPU check', '', *env, '',
             f"**{verdict}**: {count[PASSED]} passed, {count[FAILED]} failed, {count[SKIPPED]} skipped in {seconds:.1f} s "
             f"(exit status {int(bool(count[FAILED]))}).", '',
             table([{'check': c.name, 'status': c.status, 'seconds': f'{c.seconds:.1f}',
                     'limit s': '' if c.limit is None else f'{c.limit:.0f}'} for c in results])]
    for c in results: lines += ['', f'## {c.name}', '', f'{c.status}, {c.seconds:.1f} s', '', c.details]
    return '\n'.join(lines) + '\n'

def parse_args(argv:list[str]|None=None) -> argparse.Namespace:
    "The command line (`--ddp-worker` and `--sync-bn`, hidden, start one process of the DDP checks)"
    keys = [key for key, *_ in plan({})]
    p = argparse.ArgumentParser(prog='gpu_check', description="Verify on a GPU what the CPU-only CI cannot run")
    p.add_argument('--out', default='gpu-check.md', help="The markdown report (default: gpu-check.md)")
    p.add_argument('--dry', action='store_true', help="Dry mode even with CUDA: only what runs on a CPU (automatic without CUDA)")
    p.add_argument('--only', help=f"Comma-separated checks to run: {', '.join(keys)}")
    p.add_argument('--ddp-worker', metavar='DIR', help=argparse.SUPPRESS)
    p.add_argument('--sync-bn', action='store_true', help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.only = None if args.only is None else set(args.only.split(','))
    if args.only is not None and not args.only <= set(keys):
        p.error(f"--only: unknown check(s) {', '.join(sorted(args.only - keys))}; the checks: {', '.join(sorted(keys))}")
    return args

def main(argv:list[str]|None=None) -> int:
    args = parse_args(argv)
    if args.ddp_worker: return ddp_worker(Path(args.ddp_worker), args.sync_bn) or 0
    start = time.perf_counter()
    cuda = torch.cuda.is_available()
    dry_reason = "--dry given" if args.dry else None if cuda else "no CUDA (torch.cuda.is_available() is False)"
    device = torch.device('cuda' if cuda and not args.dry else 'cpu')
    mode = (f"dry mode, {dry_reason}: only what runs on a CPU ran" if dry_reason else
            f"full, {torch.cuda.device_count()} GPU(s)")
    print(f"gpu_check: {mode}", flush=True)
    notebooks = cuda_cell_notebooks()
    print(f"#| cuda cells: {', '.join(f'{nb} ({n})' for nb, n in notebooks.items()) or 'none'}", flush=True)
    results = run_checks(plan(notebooks), device, dry_reason, args.only, start)
    seconds = time.perf_counter() - start
    text = report(results, environment(device, mode, notebooks), seconds)
    Path(args.out).write_text(text)
    failed = [c.name for c in results if c.status == FAILED]
    print(f"gpu_check: {'FAILED: ' + '; '.join(failed) if failed else 'passed'} "
          f"({sum(c.status == PASSED for c in results)} passed, {len(failed)} failed, "
          f"{sum(c.status == SKIPPED for c in results)} skipped, {seconds:.1f} s); report: {args.out}")
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())

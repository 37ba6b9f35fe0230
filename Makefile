# Development tasks. `make test` and `make demo` set everything up on a fresh machine (Python >= 3.11) and are
# idempotent: the virtual environment in .venv is built once and rebuilt only when its requirements change.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test user-path gpu-check export hooks clean-venv

$(STAMP): requirements-dev.txt settings.ini setup.py
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), f"cocord needs Python >= 3.11, {sys.executable} is {sys.version.split()[0]}"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

setup: $(STAMP)

# The main job on the built-in default: a teacher, then the same student plainly, with KD and with CoCoRD, three seeds, on
# scikit-learn's digits (no download); outputs in runs/digits-comparison.
demo: $(STAMP)
	$(BIN)/cocord_train

# Every notebook is a test file; cells flagged slow or cuda (settings.ini: tst_flags) are skipped. Two notebooks run
# at a time with one math thread each: letting each take every core oversubscribes the CPU (4x slower on 2 cores).
# The tests' temporary files (runs, checkpoints: a few GB) go to .test-tmp, removed afterwards, pass or fail.
test: $(STAMP)
	@start=$$(date +%s); rm -rf .test-tmp && mkdir .test-tmp; \
	TMPDIR=$(CURDIR)/.test-tmp OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers 2 --timing; status=$$?; rm -rf .test-tmp; \
	if [ $$status -eq 0 ]; then echo "nbdev_test: $$(ls nbs/*.ipynb | wc -l) passed, 0 failed ($$(( $$(date +%s) - start )) s)"; fi; \
	exit $$status

# The README's examples and commands, run as a user would (CI also runs it in a fresh environment from the wheel).
user-path: $(STAMP)
	$(BIN)/python tools/user_path.py

# On a machine with CUDA, what CI cannot run (the #| cuda cells, mixed precision, DDP over NCCL, SyncBatchNorm, the
# benchmark on the GPU), in under 8 minutes; report in gpu-check.md (--out), exit status 0 only if every check passed.
# Without CUDA it runs its dry mode: the CUDA checks listed as skipped.
gpu-check: $(STAMP)
	$(BIN)/python tools/gpu_check.py

export: $(STAMP)
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean && $(BIN)/python tools/make_readme.py

# nbdev's git and Jupyter hooks: notebooks are cleaned of outputs' noise when saved, and merge conflicts in them resolved
hooks: $(STAMP)
	$(BIN)/nbdev_install_hooks

clean-venv:
	rm -rf $(VENV)

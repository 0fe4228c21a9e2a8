import functools
import importlib
import os
import os.path as osp
import subprocess
import sys
from typing import List, Tuple

import pytest
import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
GOLDEN = osp.join(REPO, 'tests', 'data', 'golden')


def _smallest(cls_name: str, arch: str):
    def build(**kwargs):
        from mmhybrid import models
        return getattr(models, cls_name)(arch, **kwargs)
    return build


# The smallest variant of each staged backbone, built with keyword arguments.
STAGED = {name: _smallest(name, arch) for name, arch in (
    ('TransXNet', 't'), ('FcaFormer', 'l1'), ('MixFormer', 'b0'), ('HybridFormer', 's'),
    ('HLG', 't'))}


# A forked child hangs in the first parallel region if the parent's OpenMP pool (libgomp) has
# started, so the test processes run torch single-threaded (as `make test` does by
# OMP_NUM_THREADS=1) whichever way pytest is started.
torch.set_num_threads(1)

# What the suite writes at once under the temporary folder (two workers' training runs, their
# checkpoints and logs; passed tests' folders go at teardown, see pytest.ini): about 1.3 GB.
NEEDS_FREE_BYTES = 2 << 30


def pytest_sessionstart(session) -> None:
    """Stop at once, with the reason, where the disk cannot hold the suite's training runs
    (a full disk fails dozens of tests in ways that hide it)."""
    import shutil
    import tempfile
    folder = str(session.config.option.basetemp or tempfile.gettempdir())
    free = shutil.disk_usage(folder if osp.isdir(folder) else tempfile.gettempdir()).free
    if free < NEEDS_FREE_BYTES:
        pytest.exit(f'only {free / 2**30:.1f} GiB free under {folder}; the tests need about '
                    f'{NEEDS_FREE_BYTES / 2**30:.0f} GiB there (free some space, or point '
                    'TMPDIR or --basetemp elsewhere)', returncode=1)


# Scripts that run in a fork of the test process (which has imported torch and the mm
# packages already: 7 s per run saved) rather than in a fresh interpreter.
FORKED = tuple(osp.join(REPO, d) + os.sep for d in ('tools', 'benchmarks', 'demo'))


def _run_script_in_child(script: str, argv: List[str], out: int) -> int:
    """In a forked child: run ``script`` as ``__main__`` with output to the file ``out``."""
    import logging
    import runpy
    import traceback

    from mmengine.logging import MMLogger
    os.dup2(out, 1)
    os.dup2(out, 2)
    sys.stdout = sys.stderr = open(1, 'w', buffering=1, closefd=False)
    for logger in [logging.getLogger(), *MMLogger._instance_dict.values()]:
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:
                handler.setStream(sys.stdout)
    sys.argv = [script, *argv]
    sys.path.insert(0, osp.dirname(script))
    try:
        runpy.run_path(script, run_name='__main__')
        return 0
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        print(e.code)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1


@functools.lru_cache(None)
def _import_the_stack() -> None:
    """Import what the tools use once, in the process that forks them."""
    import mmhybrid  # noqa: F401 (also imports mmseg's and mmdet's models)
    for package in ('mmdet', 'mmseg', 'mmpretrain'):
        importlib.import_module(f'{package}.utils').register_all_modules(False)


def _run_forked(args: List[str], cwd: str, env: dict, timeout: int) -> Tuple[int, str]:
    import signal
    import tempfile
    import time
    _import_the_stack()
    with tempfile.TemporaryFile() as out:
        pid = os.fork()
        if pid == 0:
            # The child is a copy of the pytest (xdist worker) process: whatever happens, even a
            # failing flush on a full disk, it must end here, never return into pytest's loop,
            # where it would report the test a second time.
            code = 1
            try:
                os.chdir(cwd)
                os.environ.update(env)
                code = _run_script_in_child(args[0], args[1:], out.fileno())
                sys.stdout.flush()
            except BaseException:
                code = code or 1
            finally:
                os._exit(code)
        deadline = time.monotonic() + timeout
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise subprocess.TimeoutExpired(args, timeout)
            time.sleep(0.05)
        out.seek(0)
        return os.waitstatus_to_exitcode(status), out.read().decode(errors='replace')


def run_python(args: List[str], cwd: str, env: dict = None, timeout: int = 600,
               check: bool = True) -> subprocess.CompletedProcess:
    """Run ``python ARGS`` in ``cwd`` with mmhybrid importable; fail with its output.

    Scripts under ``tools/``, ``benchmarks/`` and ``demo/`` run in a fork of this process, the way
    ``python SCRIPT`` runs them (``__main__``, argv, cwd, environment, exit status, output),
    without paying for the imports again; anything else runs in a fresh interpreter.
    """
    extra = {'PYTHONPATH': REPO, 'PYTHONUNBUFFERED': '1', **(env or {})}
    if args and args[0].startswith(FORKED):
        code, out = _run_forked(args, cwd, extra, timeout)
        proc = subprocess.CompletedProcess([sys.executable, *args], code, out)
    else:
        proc = subprocess.run([sys.executable, *args], cwd=cwd, env={**os.environ, **extra},
                              timeout=timeout, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f'{" ".join(args)} exited {proc.returncode}:\n{proc.stdout[-6000:]}')
    return proc


@pytest.fixture(scope='session')
def toy_workspace(tmp_path_factory) -> str:
    """A folder whose data/toy holds the toy datasets; configs' relative roots resolve in it."""
    from mmhybrid.testing import make_all
    root = str(tmp_path_factory.mktemp('workspace'))
    make_all(osp.join(root, 'data', 'toy'))
    return root


def _import_file(path: str):
    """The Python file at ``path`` imported as a module of its file name."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(osp.splitext(osp.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_tool(path: str):
    """A script under tools/ (e.g. ``'misc/gen_recipes.py'``) imported as a module."""
    return _import_file(osp.join(REPO, 'tools', path))


def load_golden(name: str) -> dict:
    """A compact golden reference of ``tests/data/golden`` (see its README)."""
    import torch
    return torch.load(osp.join(GOLDEN, name), weights_only=True)


def assert_golden(ours, ref, tol: float = 1e-4, what: str = 'output') -> None:
    """``ours`` equals a (compact) golden reference within ``tol``."""
    from mmhybrid.testing.golden import max_error
    err = max_error(ours, ref)
    assert err <= tol, f'{what}: max abs diff {err} > {tol}'


def _resize_scale(pipeline) -> tuple:
    return next(t['scale'] for t in pipeline if t['type'] == 'Resize')


def _scale_tta(node, factor: float):
    """The test-time augmentation scales of ``node`` (and SETR's smallest short side) times
    ``factor``; of the multi-scale step only the smallest and the largest scale stay, which
    still exercises the merge across scales and flips at a third of the cost."""
    if isinstance(node, dict) and node.get('type') == 'TestTimeAug':
        scales, *rest = node['transforms']
        node = dict(node, transforms=[[scales[0], scales[-1]], *rest])
    if isinstance(node, dict):
        out = {k: _scale_tta(v, factor) for k, v in node.items()}
        if isinstance(out.get('scale'), (tuple, list)) and node.get('type') != 'TestTimeAug':
            out['scale'] = tuple(int(v * factor) for v in node['scale'])
        if 'min_short' in node:
            out['min_short'] = int(node['min_short'] * factor)
        return out
    if isinstance(node, (list, tuple)):
        return [_scale_tta(v, factor) for v in node]
    return node


def write_toy_config(directory: str, leaf: str, dataset: str, keep_init: bool = False) -> str:
    """A config running ``configs/<leaf>`` for 2 iterations on the toy ``dataset``.

    The model, optimizer and evaluator stay the leaf's; the data, the image scale and the loop
    length shrink (``configs/_base_/datasets/toy_<dataset>.py``), and so do the scales of its
    test-time augmentation (by the ratio of the toy test scale to the real one; two of them);
    the backbone starts from scratch unless ``keep_init``.
    """
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, 'configs', leaf))
    toy = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'datasets', f'toy_{dataset}.py'))
    loader = dict(num_workers=0, persistent_workers=False)
    override = dict(
        model=dict() if keep_init else dict(backbone=dict(init_cfg=None)),
        train_dataloader=dict(batch_size=2, dataset=dict(indices=4, **toy[f'toy_{dataset}_train']),
                              **loader),
        val_dataloader=dict(batch_size=1, dataset=dict(indices=2, **toy[f'toy_{dataset}_val']),
                            **loader),
        default_hooks=dict(logger=dict(interval=1)))
    override['test_dataloader'] = override['val_dataloader']
    if 'tta_pipeline' in cfg:
        real = _resize_scale(cfg.test_dataloader.dataset.pipeline)
        small = _resize_scale(toy[f'toy_{dataset}_val']['pipeline'])
        override['tta_pipeline'] = _scale_tta(cfg.tta_pipeline, min(small) / min(real))
    if dataset in ('coco', 'imagenet'):  # epoch-based loops
        override['train_cfg'] = dict(max_epochs=1, val_interval=1)
        if dataset == 'coco':
            override.update(val_evaluator=toy.toy_coco_evaluator,
                            test_evaluator=toy.toy_coco_evaluator)
    else:  # ade20k, cityscapes: iteration-based
        override['model']['data_preprocessor'] = dict(size=toy[f'toy_{dataset}_crop'])
        override.update(train_cfg=dict(max_iters=2, val_interval=2),
                        default_hooks=dict(logger=dict(interval=1),
                                           checkpoint=dict(interval=2)))
    # Schedulers that would start after the shortened loop cannot be built.
    length = 1 if 'max_epochs' in override['train_cfg'] else 2
    override['param_scheduler'] = [p for p in cfg.param_scheduler if p.get('begin', 0) < length]
    cfg.merge_from_dict(override)
    path = osp.join(directory, f'toy_{osp.basename(leaf)}')
    cfg.dump(path)
    return path

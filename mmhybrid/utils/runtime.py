"""What tools/train.py and tools/test.py share: CLI overrides, CPU distributed runs, data checks."""
import argparse
import copy
import os
import os.path as osp
import zipfile
from typing import Iterator

import torch
from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log
from mmengine.runner import find_latest_checkpoint

from .checkpoint import check_pretrained_exists, read_checkpoint, trusted_checkpoint_loading


def default_work_dir(config_path: str) -> str:
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


def apply_common_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply ``--cfg-options``, ``--work-dir``, ``--launcher`` and ``--amp`` as mmdet does;
    ``--amp`` without a GPU trains in bfloat16 (``mmhybrid.AutocastOptimWrapper``); the
    ``compile`` option compiles the backbone and neck (``mmhybrid.CompileModulesHook``)."""
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = default_work_dir(args.config)
    wrapper = cfg.get('optim_wrapper') or {}
    if getattr(args, 'amp', False):
        if wrapper.get('type', 'OptimWrapper') not in (
                'OptimWrapper', 'AmpOptimWrapper', 'mmhybrid.AutocastOptimWrapper'):
            raise ValueError(f'--amp needs an OptimWrapper or AmpOptimWrapper, got '
                             f'{wrapper.type}')
        if torch.cuda.is_available():  # float16 with dynamic loss scaling, as mmdet's --amp
            wrapper.type = 'AmpOptimWrapper'
            wrapper.setdefault('loss_scale', 'dynamic')
        else:  # bfloat16 autocast, which needs no loss scaling
            wrapper.type = 'mmhybrid.AutocastOptimWrapper'
            for key in ('loss_scale', 'use_fsdp'):
                wrapper.pop(key, None)
            wrapper.dtype = 'bfloat16'
    if wrapper.get('type') == 'AmpOptimWrapper' and not torch.cuda.is_available():
        # mmengine's AmpOptimWrapper asserts a GPU; a recipe's float16 is a GPU setting.
        print_log('The config trains with mixed precision (AmpOptimWrapper), which needs a '
                  'GPU: training in fp32 instead (--amp trains in bfloat16 on a CPU)',
                  logger='current', level=30)
        wrapper.type = 'OptimWrapper'
        for key in ('loss_scale', 'dtype', 'use_fsdp'):
            wrapper.pop(key, None)
    compile_cfg = cfg.get('compile')
    if compile_cfg:
        # mmengine would compile train_step with the optimizer step, which dynamo fails on.
        cfg.compile = False
        kwargs = dict(compile_cfg) if isinstance(compile_cfg, dict) else {}
        cfg.custom_hooks = [*cfg.get('custom_hooks', []),
                            dict(type='mmhybrid.CompileModulesHook', **kwargs)]
    return cfg


def _dicts(node: object) -> Iterator[dict]:
    """Every dict in a config tree (the node itself included), depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _dicts(value)


def adapt_for_cpu_distributed(cfg: Config) -> None:
    """Make a launched (torchrun/slurm) run work without CUDA: gloo, CPU DDP, plain BN with
    statistics averaged over the ranks (``mmhybrid.AverageBuffersHook``).

    mmengine's launcher calls ``torch.cuda.set_device`` and builds DDP with ``device_ids``,
    both CUDA-only, so the process group is set up here and DDP gets no device ids.
    """
    if cfg.launcher == 'none' or torch.cuda.is_available():
        return
    cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    if not torch.distributed.is_initialized():
        if cfg.launcher == 'slurm':
            raise RuntimeError('CPU-only slurm runs are not supported; use torchrun '
                               '(tools/dist_train.sh) on CPU nodes')
        torch.distributed.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or ConfigDict(type='MMDistributedDataParallel')
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters', cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    # torch's SyncBatchNorm needs CUDA: plain BatchNorms, whose statistics are averaged over
    # the ranks after every iteration so that all ranks hold the same weights.
    for node in _dicts(cfg.model):
        if node.get('type') in ('SyncBN', 'MMSyncBN'):
            node['type'] = 'BN'
    cfg.custom_hooks = [*cfg.get('custom_hooks', []), dict(type='mmhybrid.AverageBuffersHook')]


def _datasets(node: object) -> Iterator[dict]:
    """Every dataset dict under a dataloader cfg, through wrappers such as RepeatDataset."""
    if isinstance(node, dict):
        if 'data_root' in node or 'ann_file' in node or 'data_prefix' in node:
            yield node
        for key in ('dataset', 'datasets'):
            if key in node:
                yield from _datasets(node[key])
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _datasets(item)


def check_data_roots(cfg: Config, phases: tuple) -> None:
    """Fail early, with what to do, when a dataset's files are not where the config says.

    Args:
        cfg: The config.
        phases: Dataloader names to check, e.g. ``('train', 'val')``.
    """
    for phase in phases:
        loader = cfg.get(f'{phase}_dataloader')
        if not loader:
            continue
        for dataset in _datasets(loader.get('dataset')):
            root = dataset.get('data_root') or ''
            paths = []
            if root:
                paths.append(root)
            if dataset.get('ann_file'):
                paths.append(osp.join(root, dataset['ann_file']))
            for prefix in (dataset.get('data_prefix') or {}).values():
                if isinstance(prefix, str) and prefix:
                    paths.append(osp.join(root, prefix))
            for path in paths:
                if not osp.exists(path):
                    raise FileNotFoundError(
                        f'{phase} data not found: {dataset.get("type", "dataset")} expects '
                        f'{path!r} (data_root {root!r}, working directory {os.getcwd()!r}). '
                        'Put the dataset there in its standard layout (see README, "Data"), '
                        'or link it (ln -s /path/to/dataset data/<name>), or point the config '
                        "elsewhere with --cfg-options. To try mmhybrid without it, run "
                        "'python tools/misc/make_toy_data.py' and use a configs/demo/ config.")


def check_pretrained(model: dict) -> None:
    """Before anything is built: every Pretrained ``init_cfg`` in a model config names an
    existing local file (URLs are left to the loader); see :func:`check_pretrained_exists`."""
    for node in _dicts(model):
        init_cfg = node.get('init_cfg')
        for cfg in init_cfg if isinstance(init_cfg, (list, tuple)) else [init_cfg]:
            if isinstance(cfg, dict) and cfg.get('type') == 'Pretrained':
                check_pretrained_exists(str(node.get('type', 'model')), cfg)


def apply_tta(cfg: Config) -> None:
    """Test-time augmentation with mmdet's / mmseg's / mmpretrain's ``--tta`` semantics.

    The config's ``tta_model`` wraps its model and its ``tta_pipeline`` replaces the test
    pipeline of the (innermost) test dataset. Detection and classification configs without
    them get mmdet's / mmpretrain's defaults (horizontal flip); segmentation configs must
    define both. mmdet's DetTTAModel merges boxes only, so instance segmentation fails early.
    """
    scope = cfg.get('default_scope')
    if scope == 'mmdet':
        if any(node.get('mask_head') for node in _dicts(cfg.model)):
            raise ValueError(
                "--tta: mmdet's DetTTAModel merges boxes only and cannot merge instance "
                'masks; test this config without --tta')
        cfg.setdefault('tta_model', ConfigDict(
            type='DetTTAModel',
            tta_cfg=dict(nms=dict(type='nms', iou_threshold=0.5), max_per_img=100)))
    elif scope == 'mmpretrain':
        cfg.setdefault('tta_model', ConfigDict(type='mmpretrain.AverageClsScoreTTA'))
    missing = [k for k in ('tta_model', 'tta_pipeline') if k not in cfg]
    if scope not in ('mmdet', 'mmpretrain') and missing:
        raise ValueError(f'--tta needs {" and ".join(missing)} in the config')
    dataset = cfg.test_dataloader.dataset
    while 'dataset' in dataset:
        dataset = dataset.dataset
    if 'tta_pipeline' not in cfg:  # flip only, as mmdet's and mmpretrain's test.py
        pipeline = copy.deepcopy(dataset.pipeline)
        pack = pipeline[-1]
        if scope == 'mmdet':
            pack = dict(pack, meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                         'scale_factor', 'flip', 'flip_direction'))
        pipeline[-1] = dict(type='TestTimeAug', transforms=[
            [dict(type='RandomFlip', prob=1.), dict(type='RandomFlip', prob=0.)], [pack]])
        cfg.tta_pipeline = pipeline
    dataset.pipeline = cfg.tta_pipeline
    cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)


def adopt_resume_seed(cfg: Config) -> None:
    """Before a resumed run is built, take the random seed of the checkpoint it resumes.

    mmengine adopts the checkpoint's seed only after the data loaders (and their samplers'
    shuffling seeds) are built; a run without a fixed seed then draws other data than the run
    it continues. Reading the seed first makes resumed runs exact (README, "Reliability").
    """
    if not cfg.get('resume'):
        return
    path = cfg.get('load_from') or find_latest_checkpoint(cfg.work_dir)
    if not path or not osp.isfile(path):
        return
    with trusted_checkpoint_loading():  # mmap: only the metadata is read (zip format only)
        meta = read_checkpoint(path, map_location='cpu',
                               mmap=zipfile.is_zipfile(path)).get('meta', {})
    if meta.get('seed') is not None:
        cfg.randomness = dict(cfg.get('randomness') or {}, seed=int(meta['seed']))

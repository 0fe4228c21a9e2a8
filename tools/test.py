"""Evaluate a checkpoint of a detector, segmentor or classifier with its config's metrics."""
import argparse
import os
import os.path as osp
import pickle

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmhybrid.utils import (CheckpointError, adapt_for_cpu_distributed, apply_common_args,
                            apply_tta, check_data_roots, trusted_checkpoint_loading)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a model with mmhybrid')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save the evaluation results')
    parser.add_argument('--out', help='dump the predictions to this pickle file')
    parser.add_argument('--show-dir', help='save painted predictions under work_dir/show-dir')
    parser.add_argument('--tta', action='store_true',
                        help="test-time augmentation: the config's tta_model and tta_pipeline "
                        '(multi-scale + flip for the segmentation configs)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def enable_visualization(cfg: Config, show_dir: str) -> None:
    """Switch on the task's visualization hook, writing painted predictions to show_dir."""
    hook = cfg.default_hooks.get('visualization')
    if hook is None:
        raise ValueError('--show-dir needs a visualization hook in default_hooks')
    if hook.type.endswith('DetVisualizationHook'):
        hook.update(draw=True, interval=1, test_out_dir=show_dir)
    elif hook.type.endswith('SegVisualizationHook'):
        hook.update(draw=True, interval=1)
        cfg.visualizer.save_dir = show_dir
    else:  # mmpretrain's VisualizationHook
        hook.update(enable=True, interval=1, out_dir=show_dir)


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint!r} does not exist')
    cfg = apply_common_args(Config.fromfile(args.config), args)
    cfg.load_from = args.checkpoint
    if args.tta:
        apply_tta(cfg)
    if args.show_dir:
        enable_visualization(cfg, args.show_dir)
    if args.out:
        cfg.test_evaluator = [*cfg.test_evaluator] if isinstance(
            cfg.test_evaluator, (list, tuple)) else [cfg.test_evaluator]
        cfg.test_evaluator.append(dict(type='DumpResults', out_file_path=args.out))
    check_data_roots(cfg, ('test', ))
    adapt_for_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    try:
        with trusted_checkpoint_loading():
            runner.test()
    except (CheckpointError, pickle.UnpicklingError) as e:  # damaged, or would run code
        raise SystemExit(f'error: {e}')


if __name__ == '__main__':
    main()

"""Train a detector, segmentor or classifier from an mmhybrid (or any mm) config.

The task comes from the config's ``default_scope`` (mmdet, mmseg or mmpretrain); the CLI is
mmdet's.
"""
import argparse
import os
import pickle

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmhybrid.datasets.samplers import SampleLoadError
from mmhybrid.utils import (CheckpointError, adapt_for_cpu_distributed, adopt_resume_seed,
                            apply_common_args, check_data_roots, check_pretrained,
                            trusted_checkpoint_loading)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model with mmhybrid')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the actual total batch size')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint, or without a path from the latest in the work dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value (e.g. train_cfg.max_iters=10)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    cfg = apply_common_args(Config.fromfile(args.config), args)
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise RuntimeError(f'--auto-scale-lr needs auto_scale_lr.base_batch_size in '
                               f'{args.config}')
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    check_data_roots(cfg, ('train', 'val') if cfg.get('val_cfg') else ('train', ))
    check_pretrained(cfg.model)
    adapt_for_cpu_distributed(cfg)
    try:
        adopt_resume_seed(cfg)
        runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
        with trusted_checkpoint_loading():
            runner.train()
    except (CheckpointError, pickle.UnpicklingError) as e:  # damaged, or would run code
        raise SystemExit(f'error: {e}')
    except SampleLoadError as e:  # from a data loader worker, the message ends the traceback
        raise SystemExit('error: ' + str(e).strip().splitlines()[-1].split(
            'SampleLoadError: ', 1)[-1])


if __name__ == '__main__':
    main()

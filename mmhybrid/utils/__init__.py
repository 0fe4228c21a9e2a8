from .checkpoint import (CheckpointError, check_pretrained_exists, check_state_dict_fits,
                         mmengine_checkpoint_globals, read_checkpoint, trusted_checkpoint_loading)
from .runtime import (adapt_for_cpu_distributed, adopt_resume_seed, apply_common_args, apply_tta,
                      check_data_roots, check_pretrained, default_work_dir)

__all__ = [
    'CheckpointError', 'check_state_dict_fits', 'read_checkpoint', 'mmengine_checkpoint_globals',
    'trusted_checkpoint_loading', 'adapt_for_cpu_distributed', 'adopt_resume_seed',
    'apply_common_args', 'apply_tta', 'check_data_roots', 'check_pretrained',
    'check_pretrained_exists', 'default_work_dir'
]

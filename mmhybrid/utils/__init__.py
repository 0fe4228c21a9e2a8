from .checkpoint import (check_pretrained_exists, mmengine_checkpoint_globals,
                         trusted_checkpoint_loading)
from .runtime import (adapt_for_cpu_distributed, apply_common_args, apply_tta, check_data_roots,
                      check_pretrained, default_work_dir)

__all__ = [
    'mmengine_checkpoint_globals', 'trusted_checkpoint_loading', 'adapt_for_cpu_distributed',
    'apply_common_args', 'apply_tta', 'check_data_roots', 'check_pretrained',
    'check_pretrained_exists', 'default_work_dir'
]

from .checkpoint import mmengine_checkpoint_globals, trusted_checkpoint_loading
from .runtime import (adapt_for_cpu_distributed, apply_common_args, check_data_roots,
                      default_work_dir)

__all__ = [
    'mmengine_checkpoint_globals', 'trusted_checkpoint_loading', 'adapt_for_cpu_distributed',
    'apply_common_args', 'check_data_roots', 'default_work_dir'
]

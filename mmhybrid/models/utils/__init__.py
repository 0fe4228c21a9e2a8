from .arch import parse_arch, parse_out_indices, parse_window_sizes
from .cache import ParameterCache, clear_parameter_caches, is_capturing, records_grad
from .checkpoint import checkpoint_block
from .init import trunc_normal_init
from .pretrained import load_pretrained, unwrap_state_dict

__all__ = ['parse_arch', 'parse_out_indices', 'parse_window_sizes', 'checkpoint_block',
           'trunc_normal_init', 'load_pretrained', 'unwrap_state_dict', 'ParameterCache',
           'clear_parameter_caches', 'is_capturing', 'records_grad']

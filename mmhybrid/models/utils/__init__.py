from .arch import parse_arch, parse_out_indices
from .pretrained import load_pretrained, unwrap_state_dict

__all__ = ['parse_arch', 'parse_out_indices', 'load_pretrained', 'unwrap_state_dict']

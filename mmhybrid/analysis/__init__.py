from .complexity import count_flops, sdpa_flop_jit

__all__ = ['count_flops', 'sdpa_flop_jit']

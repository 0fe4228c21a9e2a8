from .complexity import count_flops, count_flops_module_hooks, sdpa_flop_jit
from .paper_flops import mixformer_readme_flops

__all__ = ['count_flops', 'count_flops_module_hooks', 'sdpa_flop_jit', 'mixformer_readme_flops']

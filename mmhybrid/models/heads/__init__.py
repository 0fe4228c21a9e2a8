from .setr_hlg_head import SETRHLGHead

__all__ = ['SETRHLGHead']

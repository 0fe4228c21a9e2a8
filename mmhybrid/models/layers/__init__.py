from .attention import biased_attention
from .bn_chain import batch_norm_chain
from .depthwise import DepthwiseConv2d, depthwise_conv2d
from .gemm import Linear, channel_mlp, linear, linear_gelu, linear_gelu_linear
from .layer_scale import LayerScale2d
from .mlp import Mlp
from .norm import LayerNorm2d, PooledBatchNorm2d, pooled_batch_norm
from .pointwise import PointwiseConv2d, pointwise_conv2d
from .pool import adaptive_avg_pool2d
from .window import WindowPartition, window_partition, window_reverse

__all__ = [
    'adaptive_avg_pool2d', 'batch_norm_chain', 'biased_attention', 'channel_mlp', 'DepthwiseConv2d',
    'depthwise_conv2d', 'LayerScale2d', 'LayerNorm2d', 'Linear', 'linear', 'linear_gelu',
    'linear_gelu_linear', 'Mlp', 'PointwiseConv2d', 'pointwise_conv2d', 'PooledBatchNorm2d',
    'pooled_batch_norm', 'WindowPartition', 'window_partition', 'window_reverse'
]

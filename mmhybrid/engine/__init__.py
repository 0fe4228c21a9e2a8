from .hooks import AtomicCheckpointHook, AverageBuffersHook, ExactResumeHook
from .optimizers import AutocastOptimWrapper, LayerDecayOptimWrapperConstructor

__all__ = [
    'AtomicCheckpointHook', 'AverageBuffersHook', 'ExactResumeHook', 'AutocastOptimWrapper',
    'LayerDecayOptimWrapperConstructor'
]

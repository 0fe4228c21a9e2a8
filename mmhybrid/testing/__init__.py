from .toy_data import (TOY_COCO_CLASSES, make_all, make_toy_ade20k, make_toy_cityscapes,
                       make_toy_coco, make_toy_imagenet, make_toy_pascal_context)

__all__ = [
    'TOY_COCO_CLASSES', 'make_all', 'make_toy_ade20k', 'make_toy_cityscapes', 'make_toy_coco',
    'make_toy_imagenet', 'make_toy_pascal_context'
]

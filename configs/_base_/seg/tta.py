# Multi-scale + flip test pipelines, as the official repositories run them (mmseg 0.x's
# MultiScaleFlipAug): each ratio r rescales the image to fit the test scale (W r, H r) keeping
# its aspect ratio, both flips, softmax scores averaged (mmseg's SegTTAModel). mmseg 1.x's
# default ade20k/cityscapes tta_pipeline multiplies the original image size by r instead,
# which differs wherever an image is not already at the test scale (most of ADE20K).
# Bases pick one: tta_pipeline = {{_base_.ms_flip_ade20k}} and so on.
_ratios = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
_flips = [dict(type='RandomFlip', prob=0., direction='horizontal'),
          dict(type='RandomFlip', prob=1., direction='horizontal')]


def _ms_flip(resizes, after_resize=()):
    steps = [resizes, *[[t] for t in after_resize], _flips, [dict(type='LoadAnnotations')],
             [dict(type='PackSegInputs')]]
    return [dict(type='LoadImageFromFile'), dict(type='TestTimeAug', transforms=steps)]


def _fit(scale):
    """mmseg 0.x: fit the image into (W r, H r), each side truncated."""
    return [dict(type='Resize', scale=(int(scale[0] * r), int(scale[1] * r)), keep_ratio=True)
            for r in _ratios]


def _setr(scale, crop):
    """SETR's protocol (configs/SETR/*_MS.py): the short side max(H r, crop)."""
    return _ms_flip([dict(type='mmhybrid.SETRMultiScaleResize', scale=scale, ratio=r,
                          min_short=crop) for r in _ratios])


ms_flip_ade20k = _ms_flip(_fit((2048, 512)))
# PVT / UniFormer whole-image test: sizes rounded up to a multiple of 32.
ms_flip_ade20k_align32 = _ms_flip(_fit((2048, 512)),
                                  [dict(type='ResizeToMultiple', size_divisor=32)])
ms_flip_cityscapes = _ms_flip(_fit((2048, 1024)))
ms_flip_cityscapes_768 = _ms_flip(_fit((2049, 1025)))
setr_ms_flip_ade20k = _setr((2048, 512), 512)
setr_ms_flip_cityscapes = _setr((2049, 1025), 768)
setr_ms_flip_pascal_context = _setr((520, 520), 480)

"""Convert an official TransXNet checkpoint (ImageNet, mmdet or mmseg) to mmhybrid's keys.

    python tools/model_converters/transxnet2mmhybrid.py transx-t.pth.tar transxnet_t.pth

The result loads with ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``
(backbone only) or as ``load_from`` of a whole mmhybrid model. Backbone keys that the matching
TransXNet would miss or not know are listed.
"""
from mmhybrid.converters.cli import convert_main
from mmhybrid.converters.transxnet import build_transxnet_for, convert_transxnet

if __name__ == '__main__':
    convert_main(__doc__, convert_transxnet, build_transxnet_for)

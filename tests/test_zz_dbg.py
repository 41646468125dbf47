from tests.test_websocket import *  # noqa

"""The forums' part of the site search (registered in `ForumsConfig.ready()`)."""


def register() -> None:
    pass
